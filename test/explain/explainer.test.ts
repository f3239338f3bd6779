import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { explainSection, type ExplainConfig } from '../../agent/config/sections/explain.js';
import { createExplainer, type Explainer, type ExplainerOptions } from '../../agent/explain/explainer.js';
import { templateSummary } from '../../agent/explain/template.js';
import { verifySummary } from '../../agent/explain/verify.js';
import { isEdgeError } from '../../agent/errors.js';
import type { AlertFacts } from '../../agent/types.js';

const facts: AlertFacts = {
  asset: 'P-101',
  assetKind: 'pump',
  site: 'plant-a',
  state: 'open',
  severity: 'critical',
  pattern: 'spike',
  durationS: 12,
  moved: [
    { name: 'discharge_pressure', unit: 'bar', value: 9.81, baseline: 6.2, ratio: 1.58, z: 9, direction: 'up' },
    { name: 'flow', unit: 'm3/h', value: 31, baseline: 44, ratio: 0.7, z: -5, direction: 'down' },
  ],
  steady: ['motor_temp'],
};

/** In-memory pino sink so tests can assert on structured logs. */
function memLog(): { log: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      cb();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
}

const running: Explainer[] = [];
async function started(
  cfg: Partial<ExplainConfig>,
  opts: ExplainerOptions = {},
): Promise<{ ex: Explainer; lines: Array<Record<string, unknown>> }> {
  const { log, lines } = memLog();
  const ex = createExplainer(explainSection.parse({ mode: 'lm', ...cfg }), log, opts);
  running.push(ex);
  await ex.start();
  return { ex, lines };
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.stop()));
});

describe('createExplainer', () => {
  it('template mode writes the template and counts it', async () => {
    const ex = createExplainer(explainSection.parse({}), pino({ level: 'silent' }));
    await ex.start();
    expect(await ex.explain(facts)).toEqual({
      text: templateSummary(facts),
      source: 'template',
      model: 'template-v1',
      // A pump spiking on discharge pressure: the playbook's cavitation checks.
      check: { text: 'Check suction pressure, NPSH margin and strainer.', items: ['suction pressure', 'NPSH margin', 'strainer'] },
    });
    expect(ex.stats()).toEqual({ lm: 0, template: 1, timeouts: 0, verifyFailures: 0, errors: 0, restarts: 0 });
  });

  it('lm mode ships verified LM summaries with the model id, from the worker', async () => {
    const { ex, lines } = await started({ budgetMs: 2000 });
    expect(lines.find((l) => l.msg === 'explain model loaded')).toMatchObject({ module: 'explain', layers: 3 });
    const all = await Promise.all(
      [facts, { ...facts, state: 'update' as const }, { ...facts, state: 'resolved' as const, durationS: 400 }].map((f) =>
        ex.explain(f).then((s) => ({ s, f })),
      ),
    );
    for (const { s, f } of all) {
      expect(s.source).toBe('lm');
      expect(s.model).toMatch(/^explain-lm@2\.0\.0\+[0-9a-f]{12}$/);
      expect(verifySummary(s.text, f).problems).toEqual([]);
    }
    expect(ex.stats().lm).toBe(3);
  });

  it('fails start() with a clear E_LM on a missing model', async () => {
    const ex = createExplainer(explainSection.parse({ mode: 'lm', modelDir: '/nonexistent/model' }), pino({ level: 'silent' }));
    const err: unknown = await ex.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(isEdgeError(err, 'E_LM')).toBe(true);
    expect((err as Error).message).toContain('/nonexistent/model/config.json');
    // Still usable: it answers with templates.
    expect((await ex.explain(facts)).source).toBe('template');
  });

  it('keeps answering with templates when every generation throws', async () => {
    const { ex, lines } = await started({ budgetMs: 2000 }, { fault: 'throw' });
    const s = await ex.explain(facts);
    expect(s).toMatchObject({ source: 'template', text: templateSummary(facts) });
    expect(ex.stats()).toMatchObject({ errors: 1, template: 1, lm: 0 });
    expect(lines.some((l) => l.error === 'injected generation fault')).toBe(true);
  });

  it('keeps answering with templates after the worker dies', async () => {
    const { ex, lines } = await started({ budgetMs: 5000 }, { fault: 'crash' });
    const t0 = performance.now();
    expect((await ex.explain(facts)).source).toBe('template');
    expect(performance.now() - t0).toBeLessThan(4000); // answered by the exit handler, not the budget timer
    expect((await ex.explain(facts)).source).toBe('template');
    expect(ex.stats()).toMatchObject({ errors: 1, template: 2, timeouts: 0 });
    expect(lines.some((l) => l.reason === 'explain worker exited with code 3')).toBe(true);
  });

  it('starts a lost worker again after a delay, and keeps alerting meanwhile', async () => {
    const { ex, lines } = await started({ budgetMs: 5000 }, { fault: 'crash', restartDelayMs: 100 });
    expect((await ex.explain(facts)).source).toBe('template');
    const t0 = Date.now();
    while (ex.stats().restarts < 1 && Date.now() - t0 < 15_000) await new Promise((r) => setTimeout(r, 50));
    expect(ex.stats().restarts).toBe(1);
    expect(lines.some((l) => l.msg === 'explain worker restarted; summaries from the model again')).toBe(true);
    // The injected fault kills it again on the next job: still a template, never a hang.
    expect((await ex.explain(facts)).source).toBe('template');
  });

  it('runs a text-prompt (bring-your-own style) model through the same verifier and falls back on bad text', async () => {
    // The shipped model fed a text prompt writes unfilled placeholders: the verifier must refuse them.
    const { ex } = await started({
      budgetMs: 2000,
      promptTemplate: '<bos> <st_open> <sev_info> <pat_drift> <moved_1> <d1_up> <r1_yes> <steady_0> <sep>',
    });
    const s = await ex.explain(facts);
    expect(s).toMatchObject({ source: 'template', text: templateSummary(facts) });
    expect(ex.stats()).toMatchObject({ lm: 0, template: 1, verifyFailures: 2 });
  });

  it('honours the budget with a deliberately slow model', async () => {
    const { ex } = await started({ budgetMs: 60 }, { delayMsPerToken: 40 });
    const t0 = performance.now();
    const s = await ex.explain(facts);
    const took = performance.now() - t0;
    expect(s.source).toBe('template');
    expect(took).toBeGreaterThanOrEqual(55);
    expect(took).toBeLessThan(160);
    expect(ex.stats().timeouts).toBe(1);
    // A per-call budget overrides the configured one, and the late job does not wedge the worker.
    const ok = await ex.explain(facts, 10_000);
    expect(ok.source).toBe('lm');
  });
});
