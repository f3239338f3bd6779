/**
 * The nodes run the compiled package (Node-RED require()s CommonJS shims that
 * import dist/), so node and flow tests first make sure dist/ is at least as
 * new as the sources. Builds with the project's own build command when not;
 * a lock directory keeps parallel test files from compiling at once.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function staleSources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...staleSources(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
      const js = join(ROOT, 'dist', relative(ROOT, p)).replace(/\.ts$/, '.js');
      if (!existsSync(js) || statSync(js).mtimeMs < statSync(p).mtimeMs) out.push(p);
    }
  }
  return out;
}

export async function ensureBuilt(): Promise<void> {
  const lock = join(ROOT, 'dist', '.nodes-test-build.lock');
  for (let i = 0; i < 600; i++) {
    const stale = [...staleSources(join(ROOT, 'agent')), ...staleSources(join(ROOT, 'nodes', 'src'))];
    if (stale.length === 0) return;
    try {
      mkdirSync(join(ROOT, 'dist'), { recursive: true });
      mkdirSync(lock);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // Another test file is building: wait for it, then look again.
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    try {
      // tsc exits non-zero on type errors anywhere in the tree but still emits; the staleness check above is the judge.
      execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], {
        cwd: ROOT,
        stdio: 'pipe',
      });
    } catch (err) {
      const out = String((err as { stdout?: Buffer }).stdout ?? '');
      if (!existsSync(join(ROOT, 'dist/nodes/src/index.js'))) throw new Error(`build failed:\n${out}`);
    } finally {
      rmdirSync(lock);
    }
    const still = [...staleSources(join(ROOT, 'agent')), ...staleSources(join(ROOT, 'nodes', 'src'))];
    if (still.length) throw new Error(`dist/ is still older than ${still.slice(0, 3).join(', ')} after building`);
    return;
  }
  throw new Error('timed out waiting for another build of dist/');
}
