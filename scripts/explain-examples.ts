/**
 * Writes the examples section of docs/explain.md from held-out facts
 * (test/bench/lm/heldout.ts): 10 summaries (what the model wrote before the
 * verifier, what shipped, the template), 10 check sentences and 10 digests.
 * Generated, never hand-written:
 *
 *   npx tsx scripts/explain-examples.ts [--model DIR]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import pino from 'pino';
import { explainSection } from '../agent/config/sections/explain.js';
import { buildDigest } from '../agent/explain/digest.js';
import { builtinModelDir, createExplainer } from '../agent/explain/explainer.js';
import { explainWithModel } from '../agent/explain/attempt.js';
import { LmRunner } from '../agent/explain/runner.js';
import { templateSummary } from '../agent/explain/template.js';
import type { AlertFacts } from '../agent/types.js';
import { heldOutFacts, rng } from '../test/bench/lm/heldout.js';

const args = process.argv.slice(2);
const modelDir = args.includes('--model') ? (args[args.indexOf('--model') + 1] ?? builtinModelDir()) : builtinModelDir();
const DOC = new URL('../docs/explain.md', import.meta.url);
const START = '<!-- examples:start (scripts/explain-examples.ts) -->';
const END = '<!-- examples:end -->';

const factsLine = (f: AlertFacts): string => {
  const moved = f.moved
    .map(
      (m) =>
        `\`${m.name}\` ${m.direction} to ${m.value.toPrecision(4)} ${m.unit} (baseline ${m.baseline.toPrecision(4)}, z ${m.z.toFixed(1)})`,
    )
    .join('; ');
  return `\`${f.asset}\`${f.assetKind ? ` (${f.assetKind})` : ''}, ${f.state}, ${f.severity}, ${f.pattern}, ${f.durationS} s${f.stale ? `, stale (${f.stale.reason})` : ''}; moved: ${moved || 'none'}; steady: ${f.steady.map((s) => `\`${s}\``).join(', ') || 'none'}`;
};

async function main(): Promise<void> {
  const cfg = explainSection.parse({ mode: 'lm', modelDir });
  const all = heldOutFacts(400, 4242);
  const runner = await LmRunner.load(modelDir, 1);
  const out: string[] = [START, '', '### Summaries (held-out facts; raw model text, what shipped, the template)', ''];
  for (const [i, f] of all
    .filter((x) => !x.stale)
    .slice(0, 10)
    .entries()) {
    const r = await explainWithModel(runner, f, { ...cfg, retry: false, deadline: Infinity });
    const first = r.tries[0];
    out.push(`${i + 1}. **Facts**: ${factsLine(f)}  `);
    out.push(`   **Model wrote**: \`${first?.raw ?? ''}\`  `);
    out.push(`   **Shipped**: ${r.text ?? `(verifier: ${first?.problems.join('; ')}) → template`}  `);
    out.push(`   **Template**: ${templateSummary(f)}`, '');
  }
  await runner.release();

  const ex = createExplainer(cfg, pino({ level: 'warn' }));
  await ex.start();
  out.push('### What to check (playbook, worded by the model, verified)', '');
  const kinds = ['pump', 'motor', 'compressor', 'valve', 'fan', 'heat exchanger'];
  const r = rng(7);
  let n = 0;
  for (const f of all) {
    if (n >= 10) break;
    const g: AlertFacts = { ...f, assetKind: kinds[n % kinds.length], stale: undefined, state: 'open' };
    if (!g.moved.length) continue;
    const s = await ex.explain(g);
    if (!s.check) continue;
    n++;
    out.push(
      `${n}. ${g.assetKind}, ${g.pattern}, top signal \`${g.moved[0]?.name}\` → **${s.check.text}** (${s.source === 'lm' ? 'model' : 'template'})`,
    );
  }
  await ex.stop();

  out.push('', '### Digests (alert storms)', '');
  // Storm-like batches: one or two kinds sharing one or two patterns, plus stragglers.
  const PREFIX: Record<string, string> = { pump: 'P', motor: 'M', compressor: 'K', valve: 'V', fan: 'F', 'heat exchanger': 'HX' };
  for (let d = 0; d < 10; d++) {
    const size = 3 + Math.floor(r() * 6);
    const main = kinds[Math.floor(r() * kinds.length)] ?? 'pump';
    const other = kinds[Math.floor(r() * kinds.length)] ?? 'fan';
    const pats = [all[d]?.pattern ?? 'drift', all[d + 20]?.pattern ?? 'spike'];
    const batch = all.slice(d * 9, d * 9 + size).map((f, k) => {
      const kind = r() < 0.75 ? main : other;
      return {
        facts: {
          ...f,
          state: 'open' as const,
          assetKind: kind,
          asset: `${PREFIX[kind] ?? 'A'}-${10 + d * 10 + k}`,
          pattern: r() < 0.8 ? pats[0]! : pats[1]!,
        },
        at: Math.round(r() * 50_000),
      };
    });
    out.push(`${d + 1}. ${buildDigest(batch).text}`);
  }
  out.push('', END);
  const doc = readFileSync(DOC, 'utf8');
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  if (a < 0 || b < 0) throw new Error(`docs/explain.md has no ${START} ... ${END} section`);
  writeFileSync(DOC, doc.slice(0, a) + out.join('\n') + doc.slice(b + END.length));
  console.log(`wrote ${out.length} lines of examples into docs/explain.md`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
