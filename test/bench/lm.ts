/**
 * bench:lm — the explain LM over held-out alert facts.
 *
 *   npx tsx test/bench/lm.ts [--json] [--n 300] [--facts FILE.json] [--model DIR] [--no-skab]
 *   npx tsx test/bench/lm.ts --rubric [--json] [--n 500] [--model DIR]   (coverage and errors, model vs template: lm/rubric.ts)
 *
 * Pass 1 (in-process runner) measures what the model writes before any
 * fallback: raw slot accuracy, tokens/s, distinct sentence shapes. Pass 2 goes
 * through the real Explainer (worker thread, budget, retry, template) and
 * measures per-summary latency and what ships; every shipped text is
 * fact-checked again. With --json the last stdout line is one JSON object.
 */
import { readFileSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { explainSection } from '../../agent/config/sections/explain.js';
import { explainWithModel } from '../../agent/explain/attempt.js';
import { builtinModelDir, createExplainer } from '../../agent/explain/explainer.js';
import { LmRunner } from '../../agent/explain/runner.js';
import { verifySummary } from '../../agent/explain/verify.js';
import type { AlertFacts } from '../../agent/types.js';
import { heldOutFacts } from './lm/heldout.js';
import { runRubric } from './lm/rubric.js';
import { skabAlertFacts } from './lm/skab.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const json = args.includes('--json');
const n = Number(opt('--n') ?? 300);
const modelDir = opt('--model') ?? builtinModelDir();
const factsFile = opt('--facts');
const facts: AlertFacts[] = factsFile ? (JSON.parse(readFileSync(factsFile, 'utf8')) as AlertFacts[]) : heldOutFacts(n);
// Plus the alerts that replaying SKAB valve1 raises (real sensor names and diagnosed patterns), unless --no-skab.
const skabFacts: AlertFacts[] = factsFile || args.includes('--no-skab') || args.includes('--rubric') ? [] : await skabAlertFacts();
facts.push(...skabFacts);
const cfg = explainSection.parse({ mode: 'lm', modelDir });

// Words that name a direction, pattern or severity become classes, so a "shape" is the sentence frame,
// not the same frame with another pattern name in it.
const CLASS: Array<[RegExp, string]> = [
  [/^(rose|climbed|increased|risen|reached|up|fell|decreased|down|fallen|sank|slid)$/, '<DIR>'],
  [
    /^(spike|drift|oscillation|oscillating|dropout|stuck|variability|erratic|shift|level|gradual|sudden|slow|short|regular|flat|unclassified|classified|signal|sensor|change|known)$/i,
    '<PAT>',
  ],
  [/^(critical|warning)$/i, '<SEV>'],
];
const shapeOf = (raw: string): string =>
  raw
    .split(' ')
    .map((w) => CLASS.find(([re]) => re.test(w))?.[1] ?? w)
    .join(' ')
    .replace(/(<PAT> )+/g, '<PAT> ');

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

async function main(): Promise<void> {
  if (args.includes('--rubric')) {
    const out = await runRubric({ n: Number(opt('--n') ?? 500), modelDir, verbose: !json });
    console.log(JSON.stringify({ ...out, cpu: cpus()[0]?.model ?? 'unknown', node: process.version }));
    return;
  }
  // Pass 1: raw model output, in-process.
  const runner = await LmRunner.load(modelDir, cfg.threads);
  let rawOk = 0;
  let tokens = 0;
  let genMs = 0;
  const shapes = new Set<string>();
  const samples: Array<{ facts: AlertFacts; raw: string; text: string }> = [];
  for (const f of facts) {
    const t0 = performance.now();
    const r = await explainWithModel(runner, f, { ...cfg, retry: false, deadline: Infinity });
    genMs += performance.now() - t0;
    const first = r.tries[0];
    if (!first) continue;
    tokens += first.tokens;
    if (first.ok) rawOk++;
    else if (!json) console.log(`raw miss: ${first.problems.join('; ')} | ${first.raw}`);
    shapes.add(shapeOf(first.raw));
    if (samples.length < 10 && first.ok) samples.push({ facts: f, raw: first.raw, text: first.text });
  }
  await runner.release();

  // Pass 2: what ships, through the worker with the configured budget.
  const rss0 = process.memoryUsage().rss;
  const ex = createExplainer(cfg, pino({ level: 'warn' }));
  await ex.start();
  const lat: number[] = [];
  let shippedOk = 0;
  for (const f of facts) {
    const t0 = performance.now();
    const s = await ex.explain(f);
    lat.push(performance.now() - t0);
    if (verifySummary(s.text, f).ok) shippedOk++;
  }
  const rssMbAdded = (process.memoryUsage().rss - rss0) / 2 ** 20;
  const st = ex.stats();
  await ex.stop();

  const out = {
    n: facts.length,
    skabAlerts: skabFacts.length,
    p50Ms: round(pct(lat, 50)),
    p95Ms: round(pct(lat, 95)),
    tokensPerSecond: Math.round(tokens / (genMs / 1000)),
    modelMb: round(statSync(join(modelDir, 'onnx', 'model.onnx')).size / 2 ** 20),
    rssMbAdded: round(rssMbAdded, 1),
    rawSlotAccuracy: round(rawOk / facts.length, 4),
    shippedFactCheckPass: round(shippedOk / facts.length, 4),
    templateFallbackRate: round(st.template / facts.length, 4),
    distinctSentenceShapes: shapes.size,
    timeouts: st.timeouts,
    budgetMs: cfg.budgetMs,
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
  };
  if (!json) {
    for (const s of samples) console.log(`\n${JSON.stringify(s.facts)}\n  raw:  ${s.raw}\n  text: ${s.text}`);
    console.log();
  }
  console.log(JSON.stringify(out));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
