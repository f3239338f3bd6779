/**
 * NAB v1.1 row geometry: which row belongs to which labelled window, which
 * rows are probationary, and each row's unscaled sigmoid weight. It depends
 * only on the timestamps and the windows, never on a detector or a cost
 * profile, so one geometry serves every detector and every profile.
 *
 * The rules are those of numenta/NAB `nab/sweeper.py` (`calcSweepScore`,
 * `scaledSigmoid`, `_getProbationaryLength`), restated in the comments below.
 */
import { EdgeError } from '../errors.js';
import type { NabWindow } from './nab-data.js';

/** NAB's probationary fraction (runner.py `probationaryPercent`). */
export const NAB_PROBATION_PERCENT = 0.15;

/**
 * Rows at the start of a file that are never scored:
 * `min(floor(percent * rows), percent * 5000)` — 750 rows at most by default.
 */
export function nabProbationLength(rows: number, percent: number = NAB_PROBATION_PERCENT): number {
  return Math.min(Math.floor(percent * rows), percent * 5000);
}

/**
 * NAB's scaled sigmoid: `2*sigmoid(-5x) - 1`, and exactly -1 from x >= 3 on
 * (a false positive far behind any window). x = -1 is a window's left edge
 * (0.98661), x = 0 its right edge (0), x > 0 lies past it.
 */
export function nabScaledSigmoid(x: number): number {
  if (x >= 3.0) return -1.0;
  return 2 * (1 / (1 + Math.exp(5 * x))) - 1.0;
}

/** `scaledSigmoid(-1)`: the weight of a window's first row before scaling to tpWeight. */
export const NAB_MAX_TP = nabScaledSigmoid(-1.0);

/** A window as inclusive row indices. */
export interface NabWindowRange {
  left: number;
  right: number;
}

/** Cost-independent geometry of one file. */
export interface NabFileGeometry {
  key: string;
  rows: number;
  /** Rows [0, probation) are not scored. */
  probation: number;
  windows: NabWindowRange[];
  /** Per row: index into `windows`, or -1 outside every window. */
  windowOf: Int32Array;
  /**
   * Per row: `scaledSigmoid(position)`. Inside a window the scored weight is
   * `unit * tpWeight / NAB_MAX_TP`; outside it is `unit * fpWeight`.
   */
  unit: Float64Array;
  /** Windows with at least one row at or after the probation: only these can be missed. */
  scoredWindows: number;
}

/** First row at or after `from` whose timestamp is exactly `t`, or -1. */
function exactRow(timestamps: ArrayLike<number>, t: number, from: number): number {
  for (let i = from; i < timestamps.length; i++) if (timestamps[i] === t) return i;
  return -1;
}

/**
 * Maps timestamp windows to inclusive row ranges, in row order (NAB files
 * repeat timestamps and even step back: machine_temperature_system_failure
 * jumps back an hour, so nothing here assumes sorted times). NAB's sweeper
 * enters a window at the first row whose timestamp equals its start and ends
 * it at `timestamps.index(end)`, the first row equal to its end. When a label
 * does not fall exactly on a row (resampled data), left falls back to the
 * first row at or after the start and right to the row before the first one
 * past the end.
 */
export function nabWindowRanges(timestamps: ArrayLike<number>, windows: readonly NabWindow[], where = 'file'): NabWindowRange[] {
  const n = timestamps.length;
  const out: NabWindowRange[] = [];
  let cursor = 0;
  for (const w of [...windows].sort((a, b) => a.start - b.start)) {
    let left = exactRow(timestamps, w.start, cursor);
    if (left < 0) {
      left = cursor;
      while (left < n && (timestamps[left] as number) < w.start) left++;
    }
    let right = exactRow(timestamps, w.end, left);
    if (right < 0) {
      right = left;
      while (right < n && (timestamps[right] as number) <= w.end) right++;
      right--;
    }
    if (left >= n || right < left) {
      throw new EdgeError(
        'E_USAGE',
        `${where}: window [${new Date(w.start).toISOString()}, ${new Date(w.end).toISOString()}] holds no row`,
      );
    }
    out.push({ left, right });
    cursor = right + 1;
  }
  return out;
}

/**
 * Builds the geometry of one file, reproducing `Sweeper.calcSweepScore`:
 * - in window [L, R] of width W = R - L + 1, row i has position
 *   `-(R - i + 1) / W` (the first row is exactly -1, worth tpWeight);
 * - before the first window a row has position 3 (weight -fpWeight);
 * - after a window, position `|R' - i| / (W' - 1)` from the last window
 *   passed (right edge R', width W'); a one-row window makes this +Infinity,
 *   i.e. -fpWeight, where NAB's Python would divide by zero;
 * - rows before the probation end keep their weight but are never scored.
 */
export function nabFileGeometry(key: string, timestamps: ArrayLike<number>, windows: readonly NabWindow[]): NabFileGeometry {
  const rows = timestamps.length;
  const ranges = nabWindowRanges(timestamps, windows, key);
  const probation = nabProbationLength(rows);
  const windowOf = new Int32Array(rows).fill(-1);
  const unit = new Float64Array(rows);
  let next = 0;
  let prevRight = -1;
  let prevWidth = 0;
  for (let i = 0; i < rows; i++) {
    const cur = ranges[next];
    if (cur !== undefined && i >= cur.left) {
      const width = cur.right - cur.left + 1;
      windowOf[i] = next;
      unit[i] = nabScaledSigmoid(-(cur.right - i + 1) / width);
      if (i === cur.right) {
        prevRight = i;
        prevWidth = width;
        next++;
      }
    } else {
      const pos = prevRight < 0 ? 3.0 : Math.abs(prevRight - i) / (prevWidth - 1);
      unit[i] = nabScaledSigmoid(pos);
    }
  }
  let scoredWindows = 0;
  for (const w of ranges) if (w.right >= probation) scoredWindows++;
  return { key, rows, probation, windows: ranges, windowOf, unit, scoredWindows };
}
