import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AlertLifecycle } from '../../agent/alerts/lifecycle.js';
import { severityOf } from '../../agent/alerts/severity.js';
import type { AlertsConfig } from '../../agent/config/sections/alerts.js';
import { decision, makeConfig } from './helpers.js';

function cfg(over: Record<string, unknown> = {}): AlertsConfig {
  return makeConfig({ alerts: { openAfter: 3, resolveAfter: 5, cooldownS: 30, ...over } }).alerts;
}

let n = 0;
const ids = (): string => `a${++n}`;

describe('alert lifecycle', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2025-01-01T00:00:00Z'));
    n = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('opens only after N consecutive anomalous decisions (hysteresis), firstSeen = start of the streak', () => {
    const lc = new AlertLifecycle(cfg(), Date.now, ids);
    expect(lc.step(decision('p1', 2, 1000))).toBeNull();
    expect(lc.step(decision('p1', 2, 1100))).toBeNull();
    expect(lc.step(decision('p1', 0.5, 1200))).toBeNull(); // streak broken
    expect(lc.step(decision('p1', 2, 1300))).toBeNull();
    expect(lc.step(decision('p1', 2, 1400))).toBeNull();
    const t = lc.step(decision('p1', 2, 1500));
    expect(t).toMatchObject({ state: 'open', asset: 'p1', alertId: 'a1', seq: 0, firstSeen: 1300, lastSeen: 1500 });
    expect(lc.openCount()).toBe(1);
  });

  it('ignores learning-phase decisions', () => {
    const lc = new AlertLifecycle(cfg({ openAfter: 1 }), Date.now, ids);
    expect(lc.step({ ...decision('p1', 5), phase: 'learning' })).toBeNull();
    expect(lc.openCount()).toBe(0);
  });

  it('resolves after M normal decisions below the deadband only', () => {
    const lc = new AlertLifecycle(cfg({ openAfter: 1, deadband: 0.9 }), Date.now, ids);
    expect(lc.step(decision('p1', 2))?.state).toBe('open');
    // 0.95 is below the threshold but inside the deadband: does not count, resets the normal streak.
    for (let i = 0; i < 10; i++) expect(lc.step(decision('p1', 0.95))).toBeNull();
    for (let i = 0; i < 4; i++) expect(lc.step(decision('p1', 0.5))).toBeNull();
    expect(lc.step(decision('p1', 0.95))).toBeNull();
    for (let i = 0; i < 4; i++) expect(lc.step(decision('p1', 0.5))).toBeNull();
    const t = lc.step(decision('p1', 0.5));
    expect(t).toMatchObject({ state: 'resolved', alertId: 'a1', seq: 1 });
    expect(lc.openCount()).toBe(0);
  });

  it('suppresses re-opening during the cooldown, then opens a new alert', () => {
    const lc = new AlertLifecycle(cfg({ openAfter: 2, resolveAfter: 1, cooldownS: 30 }), Date.now, ids);
    lc.step(decision('p1', 2));
    expect(lc.step(decision('p1', 2))?.state).toBe('open');
    expect(lc.step(decision('p1', 0.1))?.state).toBe('resolved');
    vi.advanceTimersByTime(10_000);
    for (let i = 0; i < 5; i++) expect(lc.step(decision('p1', 2))).toBeNull();
    expect(lc.counters.suppressedCooldown).toBe(4); // every decision past openAfter inside the cooldown
    vi.advanceTimersByTime(20_001);
    const t = lc.step(decision('p1', 2));
    expect(t).toMatchObject({ state: 'open', alertId: 'a2', seq: 0 });
  });

  it('sends updates only on material change, rate-limited; escalation bypasses the limit', () => {
    const lc = new AlertLifecycle(cfg({ openAfter: 1, update: { minIntervalS: 10, zChange: 0.5 } }), Date.now, ids);
    expect(lc.step(decision('p1', 1.2, Date.now(), 3))).toMatchObject({ state: 'open', severity: 'info' });
    // Same picture again and again: de-duplicated.
    for (let i = 0; i < 20; i++) expect(lc.step(decision('p1', 1.2, Date.now(), 3))).toBeNull();
    // |z| 3 → 5 (+67 %) is material but inside minInterval: suppressed and counted.
    expect(lc.step(decision('p1', 1.2, Date.now(), 5))).toBeNull();
    expect(lc.counters.suppressedRate).toBe(1);
    // Severity info → critical: sent at once.
    expect(lc.step(decision('p1', 4, Date.now(), 5))).toMatchObject({ state: 'update', severity: 'critical', seq: 1 });
    // Peak severity is kept: a lower score does not downgrade or re-send.
    expect(lc.step(decision('p1', 1.2, Date.now(), 5))).toBeNull();
    vi.advanceTimersByTime(10_001);
    expect(lc.step(decision('p1', 4, Date.now(), 12))).toMatchObject({ state: 'update', seq: 2, score: 4 });
    expect(lc.counters).toMatchObject({ opened: 1, updated: 2 });
  });

  it('maps score/threshold and |z| to severity levels', () => {
    const s = cfg().severity;
    expect(severityOf(decision('p', 1.2, 0, 2), s)).toBe('info');
    expect(severityOf(decision('p', 2, 0, 2), s)).toBe('warning');
    expect(severityOf(decision('p', 3.5, 0, 2), s)).toBe('critical');
    expect(severityOf(decision('p', 1.2, 0, 9), s)).toBe('critical');
  });

  it('keeps assets independent and survives snapshot/restore mid-episode', () => {
    const lc = new AlertLifecycle(cfg({ openAfter: 2, resolveAfter: 3 }), Date.now, ids);
    lc.step(decision('p1', 2));
    lc.step(decision('p2', 2));
    expect(lc.step(decision('p1', 2))?.state).toBe('open');
    expect(lc.takeDirty().sort()).toEqual(['p1', 'p2']);
    const snaps = ['p1', 'p2'].map((a) => lc.snapshotOf(a)!);
    const lc2 = new AlertLifecycle(cfg({ openAfter: 2, resolveAfter: 3 }), Date.now, ids);
    lc2.restore(JSON.parse(JSON.stringify(snaps)));
    expect(lc2.step(decision('p1', 2))).toBeNull(); // still open: no second open
    expect(lc2.step(decision('p2', 2))?.state).toBe('open'); // its streak of 1 was restored
    for (let i = 0; i < 2; i++) lc2.step(decision('p1', 0.1));
    expect(lc2.step(decision('p1', 0.1))).toMatchObject({ state: 'resolved', alertId: 'a1' });
  });
});

describe('cooldown and severity (issue #12)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2025-01-01T00:00:00Z'));
    n = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('an info alert resolving does not hold back a critical fault in its cooldown; the same severity is held back', () => {
    const lc = new AlertLifecycle(cfg({ openAfter: 2, resolveAfter: 2, cooldownS: 30 }), Date.now, ids);
    lc.step(decision('p1', 1.2));
    expect(lc.step(decision('p1', 1.2))).toMatchObject({ state: 'open', severity: 'info' });
    lc.step(decision('p1', 0.1));
    expect(lc.step(decision('p1', 0.1))).toMatchObject({ state: 'resolved', severity: 'info' });
    vi.advanceTimersByTime(5_000);
    // The same info-level fault again inside the cooldown: suppressed.
    lc.step(decision('p1', 1.2));
    expect(lc.step(decision('p1', 1.2))).toBeNull();
    expect(lc.counters.suppressedCooldown).toBe(1);
    // A critical fault (score 4 × threshold) 24 s after the false alarm: opens at once, no 6 s wait.
    vi.advanceTimersByTime(19_000);
    expect(lc.step(decision('p1', 4))).toMatchObject({ state: 'open', severity: 'critical', alertId: 'a2' });
  });

  it('a state restored from before the resolved severity was kept errs toward alerting (only info is held back)', () => {
    const lc = new AlertLifecycle(cfg({ openAfter: 1 }), Date.now, ids);
    lc.restore([{ asset: 'p1', anomStreak: 0, normStreak: 0, streakStart: 0, cooldownUntil: Date.now() + 30_000, open: null }]);
    expect(lc.step(decision('p1', 1.2))).toBeNull();
    expect(lc.step(decision('p1', 2))).toMatchObject({ state: 'open', severity: 'warning' });
  });

  it('counts scans: consecutive decisions with the same timestamp are separate scans', () => {
    const lc = new AlertLifecycle(cfg({ openAfter: 3 }), Date.now, ids);
    // Three scans of a 1 kHz asset arriving in one millisecond each count (alerts.instantMs is gone).
    expect(lc.step(decision('p1', 2, 1000))).toBeNull();
    expect(lc.step(decision('p1', 2, 1000.4))).toBeNull();
    expect(lc.step(decision('p1', 2, 1000.8))).toMatchObject({ state: 'open' });
  });
});
