import { describe, expect, it } from 'vitest';
import { openReplayRunner, replaySeries } from '../../agent/eval/replay.js';
import { makeCase } from '../bench/lib/inject.js';

describe('replay harness', () => {
  it('never looks ahead: decisions on a prefix are identical with or without the rest of the series', async () => {
    const runner = await openReplayRunner();
    try {
      const c = makeCase(7, 'level_shift', 1, 300, 60);
      const cut = c.onset + 20;
      const prefix = {
        ts: c.ts.slice(0, cut),
        signals: Object.fromEntries(Object.entries(c.signals).map(([k, v]) => [k, v.slice(0, cut)])),
      };
      // A generous deadline: a deadline miss (a loaded CI box) switches one decision to the fallback detector
      // and skips the baseline follow, which would make two identical runs differ for reasons unrelated to lookahead.
      const config = { assets: { defaults: { deadlineMs: 10_000 } } };
      const full = await replaySeries(c, { learnRows: 300, runner, config, detector: { refractory: 0 } });
      const part = await replaySeries(prefix, { learnRows: 300, runner, config, detector: { refractory: 0 } });
      expect(part.decisions).toHaveLength(cut);
      for (let i = 0; i < cut; i++) {
        expect(part.decisions[i]!.score).toBe(full.decisions[i]!.score);
        expect(part.decisions[i]!.anomalous).toBe(full.decisions[i]!.anomalous);
        expect(part.anomaly[i]).toBe(full.anomaly[i]);
      }
      // Learning counts scans, one per row: 300 learning rows, then detecting; the shift is detected after its onset.
      const first = full.decisions.findIndex((d) => d.phase === 'detecting');
      expect(first).toBe(300);
      expect(full.decisions.map((d) => d.scan)).toEqual(Array.from({ length: full.decisions.length }, (_, i) => i + 1));
      expect(full.detections.slice(c.onset, c.onset + 60).some((d) => d === 1)).toBe(true);
      expect(full.micros.every((m) => m > 0)).toBe(true);
    } finally {
      await runner.stop();
    }
  });

  it('rejects a series whose signals do not match its timestamps', async () => {
    await expect(replaySeries({ ts: [1, 2, 3], signals: { a: [1, 2] } }, { learnRows: 20 })).rejects.toThrow(/2 values for 3 timestamps/);
  });
});
