/**
 * NAB cross-validation by folder (artificialNoAnomaly, realAWSCloudwatch, ...):
 * nested leave-one-folder-out over replays the bench ran once per
 * (candidate, file).
 *
 * On the training folders each candidate is scored with NAB's standard
 * profile twice: its swept score (NAB's own threshold search) and its own
 * decisions (agentStandard); the selection rule is their sum. On the held-out
 * folder the chosen candidate's streaming score is cut at the threshold that
 * the sweep chose on the TRAINING folders (the held-out folder never picks
 * its own threshold), and its own decisions are scored as they are.
 */
import type { NabCostMatrix } from './nab-data.js';
import { nabScoreDetections, nabSweep, type NabDetectionInput, type NabScoredInput } from './nab-score.js';
import { best, nestedLeaveOneOut, summary } from './cv.js';

/** One file's replay under one candidate. */
export interface NabFileRun extends NabScoredInput, NabDetectionInput {
  /** The folder (fold) the file belongs to. */
  group: string;
}

/** Per held-out folder. `standard`/`agentStandard` are null for a folder without windows (its rows can only be false alarms). */
export interface NabFoldResult {
  folder: string;
  chosen: string;
  threshold: number;
  standard: number | null;
  agentStandard: number | null;
  windows: number;
  tpWindows: number;
  fpRows: number;
  agentTpWindows: number;
  agentFpRows: number;
}

/** The `cv` block of bench:nab's JSON line. */
export interface NabCvReport {
  folds: number;
  meanStandard: number;
  worstStandard: number;
  meanAgentStandard: number;
  worstAgentStandard: number;
  /** Every fold's held-out detections scored together as one corpus (NAB's normalisation over all windows). */
  pooledStandard: number;
  pooledAgentStandard: number;
  chosenOnAll: string;
  perFold: NabFoldResult[];
}

const thresholded = (f: NabFileRun, t: number): NabDetectionInput => ({
  key: f.key,
  timestamps: f.timestamps,
  windows: f.windows,
  detections: Uint8Array.from(f.scores as ArrayLike<number>, (s) => (s >= t ? 1 : 0)),
});

/** Nested leave-one-folder-out; `runs[c]` holds every file's replay under candidate c. */
export function nabCrossValidate(
  names: readonly string[],
  runs: ReadonlyArray<readonly NabFileRun[]>,
  standard: NabCostMatrix,
): NabCvReport {
  const groups = [...new Set(runs[0]!.map((f) => f.group))];
  const of = (c: number, gs: readonly string[]): NabFileRun[] => runs[c]!.filter((f) => gs.includes(f.group));
  // Training-side sweeps are reused by selection and by the held-out threshold.
  const sweeps = new Map<string, ReturnType<typeof nabSweep>>();
  const sweep = (c: number, gs: readonly string[]): ReturnType<typeof nabSweep> => {
    const k = `${c}|${gs.join(',')}`;
    let s = sweeps.get(k);
    if (!s) sweeps.set(k, (s = nabSweep(of(c, gs), standard)));
    return s;
  };
  const objective = (c: number, gs: readonly string[]): number =>
    sweep(c, gs).normalized + nabScoreDetections(of(c, gs), standard).normalized;
  const heldOut: NabDetectionInput[] = [];
  const heldOutAgent: NabDetectionInput[] = [];
  const folds = nestedLeaveOneOut(groups, names.length, objective, (c, test, train) => {
    const t = sweep(c, train).threshold ?? Infinity;
    const files = of(c, [test]);
    const cut = files.map((f) => thresholded(f, t));
    heldOut.push(...cut);
    heldOutAgent.push(...files);
    const s = nabScoreDetections(cut, standard);
    const a = nabScoreDetections(files, standard);
    const has = s.windows > 0;
    return {
      folder: test,
      chosen: names[c]!,
      threshold: t,
      standard: has ? s.normalized : null,
      agentStandard: has ? a.normalized : null,
      windows: s.windows,
      tpWindows: s.tpWindows,
      fpRows: s.fpRows,
      agentTpWindows: a.tpWindows,
      agentFpRows: a.fpRows,
    } satisfies NabFoldResult;
  });
  const per = folds.map((f) => f.result);
  const st = summary(per.flatMap((p) => (p.standard === null ? [] : [p.standard])));
  const ag = summary(per.flatMap((p) => (p.agentStandard === null ? [] : [p.agentStandard])));
  const all = best(names.length, (c) => objective(c, groups));
  return {
    folds: folds.length,
    meanStandard: st.mean,
    worstStandard: st.min,
    meanAgentStandard: ag.mean,
    worstAgentStandard: ag.min,
    pooledStandard: nabScoreDetections(heldOut, standard).normalized,
    pooledAgentStandard: nabScoreDetections(heldOutAgent, standard).normalized,
    chosenOnAll: names[all.index]!,
    perFold: per,
  };
}
