/**
 * bench:lm --rubric: the model and the template on the same held-out facts
 * (test/bench/lm/heldout.ts, a generator separate from the training corpus),
 * scored by agent/explain/rubric.ts. Pass 1 runs the model in-process, first
 * try only (raw text before the verifier); pass 2 goes through the real
 * explainer (worker, budget, retry, template fallback) and scores what ships.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { explainSection } from '../../../agent/config/sections/explain.js';
import { explainWithModel } from '../../../agent/explain/attempt.js';
import { createExplainer } from '../../../agent/explain/explainer.js';
import { scoreSummary, totals, type SummaryScore } from '../../../agent/explain/rubric.js';
import { LmRunner } from '../../../agent/explain/runner.js';
import { templateSummary } from '../../../agent/explain/template.js';
import type { AlertFacts } from '../../../agent/types.js';
import { heldOutFacts } from './heldout.js';

export interface RubricOptions {
  n: number;
  modelDir: string;
  /** Print each raw miss (text mode). */
  verbose: boolean;
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const r2 = (x: number): number => Math.round(x * 100) / 100;

/** A raw first try that the model could not even fill (unknown placeholder, cut by the cap) is an error too. */
function rawScore(text: string, problems: string[], f: AlertFacts): SummaryScore {
  const s = scoreSummary(text, f);
  const slot = problems.filter((p) => p.startsWith('placeholder') || p.startsWith('generation ended')).length;
  return slot ? { ...s, errors: { ...s.errors, number: (s.errors.number ?? 0) + slot }, errorCount: s.errorCount + slot } : s;
}

export async function runRubric(o: RubricOptions): Promise<Record<string, unknown>> {
  const facts = heldOutFacts(o.n);
  const cfg = explainSection.parse({ mode: 'lm', modelDir: o.modelDir });

  const template = totals(facts.map((f) => scoreSummary(templateSummary(f), f)));

  const runner = await LmRunner.load(o.modelDir, cfg.threads);
  const raw: SummaryScore[] = [];
  for (const f of facts) {
    const r = await explainWithModel(runner, f, { ...cfg, retry: false, deadline: Infinity });
    const first = r.tries[0];
    if (!first) continue;
    const s = rawScore(first.text, first.problems, f);
    raw.push(s);
    if (o.verbose && s.errorCount > 0) console.log(`raw error: ${first.problems.join('; ')}\n  ${first.text}`);
  }
  await runner.release();

  const ex = createExplainer(cfg, pino({ level: 'warn' }));
  await ex.start();
  const lat: number[] = [];
  const shipped: SummaryScore[] = [];
  for (const f of facts) {
    const t0 = performance.now();
    const s = await ex.explain(f);
    lat.push(performance.now() - t0);
    shipped.push(scoreSummary(s.text, f));
  }
  const st = ex.stats();
  await ex.stop();

  const model = totals(shipped);
  const rawT = totals(raw);
  return {
    n: facts.length,
    model: {
      coverage: model.coverage,
      errors: model.errors,
      rawErrorFree: rawT.errorFree,
      fallback: Math.round((st.template / facts.length) * 10_000) / 10_000,
      p95Ms: r2(pct(lat, 95)),
      p50Ms: r2(pct(lat, 50)),
      byItem: model.byItem,
      rawErrors: rawT.errors,
      rawCoverage: rawT.coverage,
    },
    template: { coverage: template.coverage, errors: template.errors, byItem: template.byItem },
    modelMb: r2(statSync(join(o.modelDir, 'onnx', 'model.onnx')).size / 2 ** 20),
    timeouts: st.timeouts,
  };
}
