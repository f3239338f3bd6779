/**
 * Evidence shows what moved (issue #13), through the real replay pipeline
 * (ONNX model, thresholds, diagnosis): a broken correlation is reported as
 * the relation that broke, not as a signal that did not move; a signal that
 * moved is named with the feature that moved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelRunner } from '../../agent/detect/model.js';
import { openReplayRunner, replaySeries } from '../../agent/eval/replay.js';
import { rng } from '../../agent/sim/random.js';

let runner: ModelRunner;
beforeAll(async () => {
  runner = await openReplayRunner();
});
afterAll(async () => {
  await runner.stop();
});

/** flow is a slow wave, pressure follows it (0.5 bar per unit), temperature is independent; at `onset` pressure inverts its relation. */
function series(n: number, onset: number): { ts: number[]; signals: Record<string, number[]> } {
  const r = rng(7);
  const g = (): number => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const ts: number[] = [];
  const flow: number[] = [];
  const pressure: number[] = [];
  const temp: number[] = [];
  for (let i = 0; i < n; i++) {
    ts.push(1_700_000_000_000 + i * 1000);
    const f = 10 + 2 * Math.sin(i / 15) + 0.1 * g();
    flow.push(f);
    const rel = i >= onset ? -(f - 10) : f - 10;
    pressure.push(5 + 0.5 * rel + 0.05 * g());
    temp.push(60 + 0.5 * g());
  }
  return { ts, signals: { flow, pressure, temperature: temp } };
}

describe('evidence', () => {
  it('a broken correlation names the relation (signal, partner, expected value), never a signal that did not move', async () => {
    const onset = 700;
    const s = series(900, onset);
    const res = await replaySeries(s, { learnRows: 500, runner, asset: 'rel' });
    const inFault = res.decisions.slice(onset).filter((d) => d.anomalous);
    const rel = inFault.filter((d) => d.diagnosis?.driver?.kind === 'relation');
    expect(rel.length).toBeGreaterThan(0);
    for (const d of rel) {
      const drv = d.diagnosis!.driver!;
      expect(['pressure', 'flow']).toContain(drv.signal);
      expect(drv.partners).toContain(drv.signal === 'pressure' ? 'flow' : 'pressure');
      expect(Math.abs(drv.z!)).toBeGreaterThanOrEqual(3);
      expect(Number.isFinite(drv.expected)).toBe(true);
      // No signal moved on its own: none is listed.
      expect(d.diagnosis!.signals).toEqual([]);
    }
    // The independent temperature never moved and is never listed as moved.
    for (const d of inFault) expect(d.diagnosis!.signals).not.toContain('temperature');
  }, 60_000);

  it('a level shift names the signal and the feature that moved, and only the moved signal', async () => {
    const s = series(900, Infinity);
    for (let i = 700; i < 760; i++) s.signals['temperature']![i]! += 5;
    const res = await replaySeries(s, { learnRows: 500, runner, asset: 'lvl' });
    const hits = res.decisions.slice(700, 760).filter((d) => d.anomalous);
    expect(hits.length).toBeGreaterThan(30);
    for (const d of hits) {
      expect(d.diagnosis!.driver?.kind).toBe('signal');
      expect(d.diagnosis!.driver?.signal).toBe('temperature');
      expect(d.diagnosis!.signals).toEqual(['temperature']);
    }
    // Once the alert is open (its 3rd anomalous scan), the pattern stays put.
    expect(new Set(hits.slice(3).map((d) => d.diagnosis!.pattern))).toEqual(new Set(['level_shift']));
  }, 60_000);
});
