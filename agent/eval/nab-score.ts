/**
 * NAB v1.1 scoring, reimplemented exactly (numenta/NAB `nab/sweeper.py`,
 * `nab/optimizer.py`, `nab/runner.py normalize`), proven by reproducing NAB's
 * own scores of its stored detector outputs (test/eval/nab-score.test.ts).
 *
 * Per file: rows before the probation are dropped; each window contributes
 * the best weight among its detected rows (the earliest, since weights fall
 * across a window) or -fnWeight if none is detected; every detected row
 * outside windows adds `fpWeight * scaledSigmoid(position)`.
 * Per detector and profile: ONE threshold for the whole corpus, the distinct
 * anomaly score that maximises the summed raw score (ties: the highest such
 * threshold, as NAB's stable sort keeps it first). Detection = score >= threshold.
 * Normalised = 100 * (S - S_null) / (S_perfect - S_null), where
 * S_perfect = tpWeight * windows and S_null = -fnWeight * scoredWindows
 * (NAB's null detector score; equal to -fnWeight * windows unless a window
 * lies wholly inside a probation).
 */
import { EdgeError } from '../errors.js';
import type { NabCostMatrix, NabWindow } from './nab-data.js';
import { NAB_MAX_TP, nabFileGeometry, type NabFileGeometry } from './nab-geometry.js';

/** One file as the scorer needs it: row timestamps and labelled windows. */
export interface NabFileLabels {
  key: string;
  timestamps: ArrayLike<number>;
  windows: readonly NabWindow[];
}

/** A file with a detector's anomaly score per row (for the threshold sweep). */
export interface NabScoredInput extends NabFileLabels {
  scores: ArrayLike<number>;
}

/** A file with a fixed detection decision per row (truthy / 1 = alert). */
export interface NabDetectionInput extends NabFileLabels {
  detections: ArrayLike<number | boolean>;
}

/** The score of a corpus under one profile. */
export interface NabResult {
  /** Chosen threshold (sweep), or null for fixed detections. */
  threshold: number | null;
  raw: number;
  normalized: number;
  perfect: number;
  nullScore: number;
  /** All labelled windows in the scored files. */
  windows: number;
  /** Windows with at least one post-probation row. */
  scoredWindows: number;
  tpWindows: number;
  fnWindows: number;
  /** Detected post-probation rows outside every window. */
  fpRows: number;
}

/** Per-file breakdown of a fixed-detection score. */
export interface NabFileResult {
  key: string;
  raw: number;
  tpWindows: number;
  fnWindows: number;
  fpRows: number;
}

/** The scorable rows of a corpus, sorted once by score (cost-independent). */
export interface NabPreparedCorpus {
  geometries: NabFileGeometry[];
  /** Row scores in descending order. */
  score: Float64Array;
  /** Global window id per sorted row, or -1. */
  window: Int32Array;
  /** Unit weight per sorted row (see NabFileGeometry.unit). */
  unit: Float64Array;
  windows: number;
  scoredWindows: number;
}

function normalise(
  raw: number,
  cost: NabCostMatrix,
  windows: number,
  scoredWindows: number,
): Pick<NabResult, 'normalized' | 'perfect' | 'nullScore'> {
  const perfect = cost.tpWeight * windows;
  const nullScore = 0 - cost.fnWeight * scoredWindows; // 0 - x: never -0
  const normalized = perfect === nullScore ? 0 : (100 * (raw - nullScore)) / (perfect - nullScore);
  return { normalized, perfect, nullScore };
}

function checkLength(key: string, a: ArrayLike<unknown>, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) throw new EdgeError('E_USAGE', `${key}: ${a.length} timestamps but ${b.length} scores/detections`);
}

/** Builds the geometry of every file and sorts all scorable rows by score, once. */
export function prepareNabCorpus(files: readonly NabScoredInput[]): NabPreparedCorpus {
  const geometries: NabFileGeometry[] = [];
  const sc: number[] = [];
  const win: number[] = [];
  const un: number[] = [];
  let windows = 0;
  let scoredWindows = 0;
  for (const f of files) {
    checkLength(f.key, f.timestamps, f.scores);
    const g = nabFileGeometry(f.key, f.timestamps, f.windows);
    geometries.push(g);
    for (let i = Math.ceil(g.probation); i < g.rows; i++) {
      const s = f.scores[i] as number;
      if (Number.isNaN(s)) throw new EdgeError('E_USAGE', `${f.key}: anomaly score NaN at row ${i}`);
      const w = g.windowOf[i] as number;
      sc.push(s);
      win.push(w < 0 ? -1 : windows + w);
      un.push(g.unit[i] as number);
    }
    windows += g.windows.length;
    scoredWindows += g.scoredWindows;
  }
  // Descending by score; equal scores keep corpus order (NAB's sort is stable).
  const order = Array.from(sc.keys()).sort((a, b) => {
    const sa = sc[a] as number;
    const sb = sc[b] as number;
    return sa > sb ? -1 : sa < sb ? 1 : a - b;
  });
  return {
    geometries,
    score: Float64Array.from(order, (k) => sc[k] as number),
    window: Int32Array.from(order, (k) => win[k] as number),
    unit: Float64Array.from(order, (k) => un[k] as number),
    windows,
    scoredWindows,
  };
}

/**
 * Sweeps every distinct anomaly score of a prepared corpus as the threshold
 * and returns the best (NAB's `calcScoreByThreshold` + optimiser), in one
 * pass: lowering the threshold past a group of equal scores activates those
 * rows, and the total changes only by their contributions.
 */
export function sweepNabPrepared(c: NabPreparedCorpus, cost: NabCostMatrix): NabResult {
  const n = c.score.length;
  const best = new Float64Array(c.windows).fill(-cost.fnWeight);
  const hit = new Uint8Array(c.windows);
  // Every window that can be missed starts missed; windows wholly inside a
  // probation are outside NAB's score parts and count for nothing.
  let total = 0 - cost.fnWeight * c.scoredWindows;
  let tp = 0;
  let fp = 0;
  // NAB labels the detect-nothing state 1.1 (scores are meant to lie in [0, 1]).
  let bestT = n > 0 && (c.score[0] as number) >= 1.1 ? Number.POSITIVE_INFINITY : 1.1;
  let bestTotal = total;
  let bestTp = 0;
  let bestFp = 0;
  let k = 0;
  while (k < n) {
    const t = c.score[k] as number;
    for (; k < n && c.score[k] === t; k++) {
      const w = c.window[k] as number;
      if (w < 0) {
        total += (c.unit[k] as number) * cost.fpWeight;
        fp++;
        continue;
      }
      const v = ((c.unit[k] as number) * cost.tpWeight) / NAB_MAX_TP;
      if (hit[w] === 0) {
        hit[w] = 1;
        tp++;
      }
      if (v > (best[w] as number)) {
        total += v - (best[w] as number);
        best[w] = v;
      }
    }
    if (total > bestTotal) {
      bestTotal = total;
      bestT = t;
      bestTp = tp;
      bestFp = fp;
    }
  }
  return {
    threshold: bestT,
    raw: bestTotal,
    ...normalise(bestTotal, cost, c.windows, c.scoredWindows),
    windows: c.windows,
    scoredWindows: c.scoredWindows,
    tpWindows: bestTp,
    fnWindows: c.scoredWindows - bestTp,
    fpRows: bestFp,
  };
}

/** Sweeps one corpus for one profile. */
export function nabSweep(files: readonly NabScoredInput[], cost: NabCostMatrix): NabResult {
  return sweepNabPrepared(prepareNabCorpus(files), cost);
}

/** Sweeps one corpus for every profile, sharing the geometry and the sort. */
export function nabSweepProfiles(
  files: readonly NabScoredInput[],
  profiles: Readonly<Record<string, NabCostMatrix>>,
): Record<string, NabResult> {
  const c = prepareNabCorpus(files);
  const out: Record<string, NabResult> = {};
  for (const [name, cost] of Object.entries(profiles)) out[name] = sweepNabPrepared(c, cost);
  return out;
}

/**
 * Scores fixed detections (no sweep): the agent's own alert decisions, scored
 * with exactly the rules the sweep applies at its chosen threshold.
 */
export function nabScoreDetections(files: readonly NabDetectionInput[], cost: NabCostMatrix): NabResult & { files: NabFileResult[] } {
  let raw = 0;
  let windows = 0;
  let scoredWindows = 0;
  let tp = 0;
  let fpRows = 0;
  const perFile: NabFileResult[] = [];
  for (const f of files) {
    checkLength(f.key, f.timestamps, f.detections);
    const g = nabFileGeometry(f.key, f.timestamps, f.windows);
    const winBest = new Float64Array(g.windows.length).fill(Number.NaN);
    let fileRaw = 0;
    let fileFp = 0;
    for (let i = Math.ceil(g.probation); i < g.rows; i++) {
      if (!f.detections[i]) continue;
      const w = g.windowOf[i] as number;
      if (w < 0) {
        fileRaw += (g.unit[i] as number) * cost.fpWeight;
        fileFp++;
      } else if (Number.isNaN(winBest[w] as number)) {
        // The first detection in a window is its best (weights fall across it).
        winBest[w] = ((g.unit[i] as number) * cost.tpWeight) / NAB_MAX_TP;
      }
    }
    let fileTp = 0;
    g.windows.forEach((r, w) => {
      if (r.right < g.probation) return;
      const b = winBest[w] as number;
      if (Number.isNaN(b)) fileRaw -= cost.fnWeight;
      else {
        fileRaw += b;
        fileTp++;
      }
    });
    perFile.push({ key: f.key, raw: fileRaw, tpWindows: fileTp, fnWindows: g.scoredWindows - fileTp, fpRows: fileFp });
    raw += fileRaw;
    windows += g.windows.length;
    scoredWindows += g.scoredWindows;
    tp += fileTp;
    fpRows += fileFp;
  }
  return {
    threshold: null,
    raw,
    ...normalise(raw, cost, windows, scoredWindows),
    windows,
    scoredWindows,
    tpWindows: tp,
    fnWindows: scoredWindows - tp,
    fpRows,
    files: perFile,
  };
}

/**
 * "agentStandard": the agent's own decisions scored on NAB's standard
 * profile (no threshold sweep — the agent chose its threshold itself).
 */
export function agentStandard(
  files: readonly NabDetectionInput[],
  profiles: Readonly<Record<string, NabCostMatrix>>,
): NabResult & { files: NabFileResult[] } {
  const cost = profiles['standard'];
  if (cost === undefined) throw new EdgeError('E_USAGE', 'profiles have no "standard" entry');
  return nabScoreDetections(files, cost);
}
