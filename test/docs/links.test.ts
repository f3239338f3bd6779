/**
 * The documentation as a newcomer meets it on GitHub: the README fits on a few
 * screens (≤ 200 lines) and maps every topic file in docs/, and every relative
 * link and image in every Markdown file of the repository points at a file
 * that exists (and, for `#anchors` into Markdown, at a heading that exists).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Every Markdown file of the repository (not dependencies or build output). */
function markdownFiles(dir = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (!['node_modules', 'dist', 'coverage'].includes(e.name) && !e.name.startsWith('.')) out.push(...markdownFiles(rel));
    } else if (e.name.endsWith('.md')) out.push(rel);
  }
  return out;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
function anchors(md: string): Set<string> {
  const out = new Set<string>();
  for (const m of md.matchAll(/^#{1,6} (.+)$/gm)) {
    out.add(
      m[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    );
  }
  return out;
}

/** Links and images outside code blocks and code spans. */
function links(md: string): string[] {
  const prose = md.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
}

describe('documentation', () => {
  it('README.md is at most 200 lines and maps every topic file in docs/', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme.split('\n').length).toBeLessThanOrEqual(200);
    const topics = readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md'));
    expect(topics.length).toBeGreaterThan(8);
    for (const t of topics) expect(readme, `README does not link docs/${t}`).toContain(`(docs/${t})`);
  });

  it('every relative link and image resolves', () => {
    const broken: string[] = [];
    let checked = 0;
    for (const file of markdownFiles()) {
      const md = readFileSync(path.join(ROOT, file), 'utf8');
      for (const href of links(md)) {
        if (/^(https?:|mailto:)/.test(href)) continue;
        const [target = '', anchor] = href.split('#');
        const abs = target === '' ? path.join(ROOT, file) : path.resolve(path.dirname(path.join(ROOT, file)), decodeURIComponent(target));
        checked++;
        if (!existsSync(abs)) {
          broken.push(`${file}: ${href} (no such file)`);
          continue;
        }
        if (anchor && abs.endsWith('.md') && statSync(abs).isFile() && !anchors(readFileSync(abs, 'utf8')).has(anchor))
          broken.push(`${file}: ${href} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  });
});
