/**
 * Scan semantics of the hot path (docs/architecture.md, "Scans"): one
 * decision per asset scan, how a scan closes, carried values, the deadline's
 * clock, future timestamps; with the real ONNX detector.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { parseConfig } from '../../agent/config/load.js';
import { openReplayRunner } from '../../agent/eval/replay.js';
import type { ModelRunner } from '../../agent/detect/model.js';
import { EventBus } from '../../agent/events.js';
import { AgentStats } from '../../agent/observe/stats.js';
import { Pipeline } from '../../agent/pipeline.js';
import { gauss, rng } from '../../agent/sim/random.js';
import type { Decision } from '../../agent/types.js';
import { waitFor } from '../helpers/wait.js';

const log = pino({ level: 'silent' });
let runner: ModelRunner;
beforeAll(async () => {
  runner = await openReplayRunner();
});
afterAll(async () => {
  await runner.stop();
});

/**
 * A fixed close timer: these ticks come microseconds apart, far faster than any plant scan, and a timer derived
 * from such a period (half of it) would be shorter than one tick's own spread.
 */
function build(defaults: Record<string, unknown> = {}) {
  const cfg = parseConfig({ assets: { defaults: { learnSamples: 20, deadlineMs: 1000, scanCloseMs: 1000, ...defaults } } });
  const bus = new EventBus(log);
  const stats = new AgentStats();
  const p = new Pipeline(cfg, runner, undefined, bus, stats, log);
  const decisions: Decision[] = [];
  bus.on('decision', (d) => decisions.push(d));
  return { p, stats, decisions };
}

const SIGNALS = ['a', 'b', 'c'];
const u = rng(5);
let ts = Date.now() - 1_000_000;

/** One tick of plain-number messages (one value per signal, each its own message), arrivals 10 µs apart. */
function tick(p: Pipeline, signals = SIGNALS, at = performance.now()): void {
  ts += 100;
  signals.forEach((s, i) => p.ingest('A', s, 10 * (i + 1) + gauss(u), ts, at + i * 0.01));
}

describe('scans of plain-number messages', () => {
  it('makes one decision per tick: the first tick closes when a signal sends again, the rest when complete', async () => {
    const { p, stats, decisions } = build();
    tick(p);
    expect(decisions).toHaveLength(0); // the first tick brought new signals: it waits for the next tick
    tick(p);
    expect(stats.scans.repeat).toBe(1); // 'a' sent again: the first scan closed, 'a' opened the next
    expect(stats.scans.complete).toBe(1);
    for (let i = 0; i < 18; i++) tick(p);
    await p.flush(); // the 20th scan started the fit
    for (let i = 0; i < 12; i++) tick(p);
    await p.flush();
    expect(decisions).toHaveLength(32);
    expect(decisions.map((d) => d.scan)).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
    expect(decisions.filter((d) => d.phase === 'learning')).toHaveLength(20); // learning counts scans
    expect(stats.decisions).toBe(32);
    await p.stop();
  });

  it('closes a scan when one of its signals sends twice, and keeps the second value for the next scan', async () => {
    const { p, stats, decisions } = build();
    for (let i = 0; i < 3; i++) tick(p);
    const before = decisions.length;
    ts += 100;
    const at = performance.now();
    p.ingest('A', 'a', 1, ts, at);
    p.ingest('A', 'a', 2, ts + 1, at); // 'a' again before b and c: a new instant
    expect(stats.scans.repeat).toBe(2);
    p.ingest('A', 'b', 3, ts + 1, at);
    p.ingest('A', 'c', 4, ts + 1, at);
    expect(decisions.length - before).toBe(2);
    expect(decisions.at(-1)!.ts).toBe(ts + 1);
    expect([...p.detectors.get('A')!.window.values.subarray(0, 3)]).toEqual([2, 3, 4]);
    await p.stop();
  });

  it('closes an incomplete scan by its timer with the missing signal carried, and stops waiting for a signal that stopped', async () => {
    const { p, stats, decisions } = build({ scanCloseMs: 30 });
    for (let i = 0; i < 25; i++) tick(p);
    await p.flush();
    const w = p.detectors.get('A')!.window;
    const n = decisions.length;
    tick(p, ['a', 'b']); // c stopped
    expect(w.scanOpen).toBe(true); // c is still expected
    await waitFor(() => decisions.length === n + 1, 5000, 'the close timer');
    expect(stats.scans.timer).toBe(1);
    expect(decisions.at(-1)!.phase).toBe('detecting');
    // The next tick: c missed one scan, still expected; this time the next value arrives past the close timer.
    const at = performance.now() - 100;
    tick(p, ['a', 'b'], at);
    const now = performance.now();
    p.ingest('A', 'a', 10, ts + 50, now); // the open scan closes first, as of its timer
    expect(stats.scans.timer).toBe(2);
    await p.flush();
    // Its deadline ran from the timer's run-out (at + 30 ms), not from when the next value noticed it.
    expect(decisions[n + 1]!.latencyUs).toBeGreaterThanOrEqual(60_000);
    // c missed two scans: no longer waited for; a and b complete a scan at once.
    p.ingest('A', 'b', 20, ts + 50, now);
    expect(w.scanOpen).toBe(false);
    expect(stats.scans.complete).toBeGreaterThan(20);
    await p.flush();
    expect(decisions).toHaveLength(n + 3);
    await p.stop();
  });
});

describe('scans of multi-signal messages', () => {
  it('closes at the end of the message, also when it carries only some signals (the rest carried)', async () => {
    const { p, stats, decisions } = build();
    for (let i = 0; i < 25; i++) {
      ts += 100;
      const at = performance.now();
      for (const [k, s] of SIGNALS.entries()) p.ingest('A', s, 10 * (k + 1) + gauss(u), ts, at);
      p.endScan('A', at);
    }
    await p.flush();
    expect(decisions).toHaveLength(25);
    expect(p.phases()).toEqual([{ asset: 'A', phase: 'detecting', samples: 20 }]);
    const c = p.detectors.get('A')!.window.values[2];
    const closedByMessage = stats.scans.message;
    ts += 100;
    p.ingest('A', 'a', 10, ts, performance.now());
    p.endScan('A', performance.now());
    expect(stats.scans.message).toBe(closedByMessage + 1);
    await p.flush();
    expect(decisions).toHaveLength(26);
    expect(p.detectors.get('A')!.window.values[2]).toBe(c);
    await p.stop();
  });

  it('runs the deadline from the close of the scan; first value → decision includes the wait for the others', async () => {
    const { p, stats, decisions } = build();
    ts += 100;
    const t0 = performance.now();
    p.ingest('A', 'a', 1, ts, t0 - 50); // the scan's first value arrived 50 ms ago
    p.ingest('A', 'b', 2, ts, t0);
    p.endScan('A', t0);
    expect(decisions).toHaveLength(1);
    expect(decisions[0]!.scanUs!).toBeGreaterThanOrEqual(50_000);
    expect(decisions[0]!.latencyUs).toBeLessThan(decisions[0]!.scanUs!);
    expect(stats.scanLatency.count).toBe(1);
    await p.stop();
  });
});

describe('timestamps from the future', () => {
  it('are rejected and counted, and one of them does not poison the signal', async () => {
    const { p, stats, decisions } = build({ clockSkewMs: 5000 });
    const now = Date.now();
    p.ingest('F', 's', 1, now - 100, performance.now());
    p.ingest('F', 's', 2, now + 3_600_000, performance.now()); // a device clock an hour ahead
    expect(stats.rejected.future).toBe(1);
    p.ingest('F', 's', 3, now - 50, performance.now()); // still accepted: the clock did not move
    p.endScan('F', performance.now());
    expect(stats.rejected.late).toBe(0);
    expect(decisions.map((d) => d.ts)).toEqual([now - 100, now - 50]);
    await p.stop();
  });
});
