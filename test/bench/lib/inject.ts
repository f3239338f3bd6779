/**
 * Seeded synthetic series with one injected anomaly of a known pattern on a
 * known signal, for the diagnosis bench and tests. Three correlated signals
 * (a level, a noisy flow, a slow periodic temperature), then the fault.
 */
import { rng } from '../../../agent/sim/random.js';
import type { Pattern } from '../../../agent/types.js';

/** The simulator's seeded PRNG, so every run generates the same set. */
export { rng };

export const INJECTED: Pattern[] = ['spike', 'level_shift', 'drift', 'variance_change', 'stuck', 'dropout', 'oscillation'];
export const SIGNALS = ['pressure', 'flow', 'temperature'] as const;

export interface InjectedCase {
  pattern: Pattern;
  signal: string;
  onset: number;
  /** Rows of the fault (from onset). */
  len: number;
  ts: number[];
  signals: Record<string, number[]>;
}

/** One case: `learn` normal rows, then normal until `onset`, then the fault for `len` rows. */
export function makeCase(seed: number, pattern: Pattern, signalIdx: number, learn = 600, len = 80): InjectedCase {
  const r = rng(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const n = learn + 200 + len;
  const onset = learn + 100 + Math.floor(r() * 80);
  const base = [50 + r() * 50, 10 + r() * 20, 60 + r() * 20];
  const noise = base.map((b) => b * (0.01 + r() * 0.02));
  const ts: number[] = [];
  const cols: number[][] = SIGNALS.map(() => []);
  const mag = 4 + r() * 4;
  const period = 8 + Math.floor(r() * 8);
  let frozen = 0;
  for (let i = 0; i < n; i++) {
    ts.push(1_700_000_000_000 + i * 1000);
    for (let s = 0; s < SIGNALS.length; s++) {
      const sd = noise[s]!;
      let v = base[s]! + sd * gauss() + (s === 2 ? sd * 0.5 * Math.sin(i / 50) : 0);
      if (s === signalIdx && i >= onset && i < onset + len) {
        const k = i - onset;
        switch (pattern) {
          case 'spike':
            if (k === 0) v += mag * 2 * sd * (r() < 0.5 ? -1 : 1);
            break;
          case 'level_shift':
            v += mag * sd;
            break;
          case 'drift':
            v += (k / len) * mag * 3 * sd;
            break;
          case 'variance_change':
            v = base[s]! + (v - base[s]!) * (4 + r());
            break;
          case 'stuck':
            if (k === 0) frozen = cols[s]![i - 1]!;
            v = frozen;
            break;
          case 'dropout':
            v = 0;
            break;
          case 'oscillation':
            v += mag * sd * Math.sin((2 * Math.PI * k) / period);
            break;
          default:
            break;
        }
      }
      cols[s]!.push(v);
    }
  }
  return { pattern, signal: SIGNALS[signalIdx]!, onset, len, ts, signals: Object.fromEntries(SIGNALS.map((s, i) => [s, cols[i]!])) };
}
