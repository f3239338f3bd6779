import { describe, expect, it } from 'vitest';
import { CTX_WINDOW, ContextNovelty } from '../../agent/detect/context.js';
import { DETECTOR_PROFILES } from '../../agent/detect/detector.js';

/** A slow smooth cycle over [-1, 1]: consecutive values stay on the same or a neighbouring level. */
const cycle = (i: number): number => Math.sin((2 * Math.PI * i) / 50);

describe('context novelty', () => {
  it('is quiet on the learned shape and flags a new shape whose values stay inside the learned range', () => {
    const learning = Float64Array.from({ length: 600 }, (_, i) => cycle(i));
    const c = ContextNovelty.learn(learning)!;
    expect(c).toBeDefined();
    let normal = 0;
    for (let i = 600; i < 700; i++) normal = Math.max(normal, c.push(cycle(i)));
    expect(normal).toBe(0);
    // Flipping between the extremes every row: every value was seen, the shape never was.
    const flips = [0.95, -0.95, 0.95, 0.2, -0.95, 0.95, -0.2, 0.95, -0.95, 0.2];
    let peak = 0;
    for (const x of flips) peak = Math.max(peak, c.push(x));
    expect(peak).toBeGreaterThanOrEqual(0.5);
  });

  it('remembers the contexts it has seen: a new shape that persists stops being novel', () => {
    const c = ContextNovelty.learn(Float64Array.from({ length: 600 }, (_, i) => cycle(i)))!;
    const flip = (i: number): number => (i % 2 ? 0.95 : -0.95);
    let first = 0;
    for (let i = 0; i < CTX_WINDOW; i++) first = Math.max(first, c.push(flip(i)));
    let later = 1;
    for (let i = CTX_WINDOW; i < 4 * CTX_WINDOW; i++) later = c.push(flip(i));
    expect(first).toBeGreaterThan(0);
    expect(later).toBe(0);
  });

  it('has no contexts for a constant signal, and survives a persist/restore round trip', () => {
    expect(ContextNovelty.learn(new Float64Array(100).fill(3))).toBeUndefined();
    const learning = Float64Array.from({ length: 600 }, (_, i) => cycle(i));
    const st = ContextNovelty.learn(learning)!.state;
    expect(st.seen.length).toBeGreaterThan(0);
    expect(st.width).toBeCloseTo((Math.max(...learning) - Math.min(...learning)) / 5, 9);
    const back = ContextNovelty.from(JSON.parse(JSON.stringify(st)) as typeof st);
    let m = 0;
    for (let i = 600; i < 700; i++) m = Math.max(m, back.push(cycle(i)));
    // The first CTX_LEN - 1 rows after a restore have no full context yet; after that the learned shape is known.
    expect(m).toBe(0);
    expect(back.state.seen).toEqual(st.seen);
  });

  it('is part of the onset profile only (the daemon default is unchanged)', () => {
    expect(DETECTOR_PROFILES.onset.context).toBe(0.5);
    expect(DETECTOR_PROFILES.continuous.context).toBe(Infinity);
  });
});
