/**
 * The detector's alert episode (agent/detect/episode.ts): it closes by the
 * alert lifecycle's own rule, and within it the diagnosis pattern changes only
 * on material evidence (a fact, or a sustained new shape while the signal is
 * away from normal), not on a flicker or on the signal's way back.
 */
import { describe, expect, it } from 'vitest';
import { DetectorEpisode, SWITCH_AFTER } from '../../agent/detect/episode.js';
import type { Pattern } from '../../agent/types.js';

const raw = (pattern: Pattern): { pattern: Pattern; confidence: number } => ({ pattern, confidence: 0.7 });

/** Opens an episode and gets past the alert's open (openAfter = 3) with `p`. */
function opened(p: Pattern): DetectorEpisode {
  const e = new DetectorEpisode({ openAfter: 3, resolveAfter: 5, deadband: 0.9 });
  for (let i = 0; i < 4; i++) {
    e.step(2, 1, true);
    e.settle(raw(p), true);
  }
  return e;
}

describe('DetectorEpisode', () => {
  it('follows each classification until the alert opens, then keeps its pattern through flickers', () => {
    const e = new DetectorEpisode({ openAfter: 3, resolveAfter: 5, deadband: 0.9 });
    e.step(2, 1, true);
    expect(e.settle(raw('spike'), true).pattern).toBe('spike');
    e.step(2, 1, true);
    expect(e.settle(raw('level_shift'), true).pattern).toBe('level_shift');
    e.step(2, 1, true);
    e.settle(raw('level_shift'), true);
    e.step(2, 1, true);
    for (const p of ['oscillation', 'variance_change', 'level_shift', 'oscillation', 'spike'] as Pattern[]) {
      e.step(2, 1, true);
      expect(e.settle(raw(p), true).pattern, p).toBe('level_shift');
    }
  });

  it('switches on a sustained new shape, and only after SWITCH_AFTER decisions of it', () => {
    const e = opened('level_shift');
    const seen: Pattern[] = [];
    for (let i = 0; i < SWITCH_AFTER + 6; i++) {
      e.step(2, 1, true);
      seen.push(e.settle(raw('oscillation'), true).pattern);
    }
    expect(seen.slice(0, SWITCH_AFTER - 1).every((p) => p === 'level_shift')).toBe(true);
    expect(seen.at(-1)).toBe('oscillation');
  });

  it('names a fact (dropout, stuck) at once', () => {
    const e = opened('level_shift');
    e.step(2, 1, true);
    expect(e.settle(raw('dropout'), true).pattern).toBe('dropout');
  });

  it('does not re-diagnose the way back to normal (signal no longer away)', () => {
    const e = opened('dropout');
    for (let i = 0; i < 3 * SWITCH_AFTER; i++) {
      e.step(2, 1, true);
      expect(e.settle(raw('level_shift'), false).pattern).toBe('dropout');
    }
  });

  it('closes after resolveAfter calm decisions below threshold × deadband, as the alert does; a score in the deadband resets the count', () => {
    const e = opened('spike');
    for (let i = 0; i < 4; i++) e.step(0.1, 1, false);
    e.step(0.95, 1, false);
    expect(e.open).toBe(true);
    for (let i = 0; i < 4; i++) e.step(0.1, 1, false);
    expect(e.open).toBe(true);
    e.step(0.1, 1, false);
    expect(e.open).toBe(false);
    e.step(0.1, 1, false);
    expect(e.quietFor).toBe(1);
    // A new episode starts fresh: its pattern follows the first classifications again.
    e.step(2, 1, true);
    expect(e.settle(raw('drift'), true).pattern).toBe('drift');
  });
});
