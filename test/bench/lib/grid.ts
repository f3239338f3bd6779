/**
 * The candidate configurations that `--cv` chooses among. Every constant the
 * detector's profiles fix was chosen from these lists by nested
 * cross-validation (agent/eval/cv.ts). The first candidate of each grid is
 * the daemon's default for that profile (no overrides), so the plain bench and
 * the CV's "chosen on all files" can be compared directly.
 */
import { DETECTOR_PROFILES, type DetectorOptions } from '../../../agent/detect/detector.js';

/** One candidate: a name for the report and the detector options it overrides. */
export interface Candidate {
  name: string;
  detector: Partial<DetectorOptions>;
}

type Axes = { [K in keyof DetectorOptions]?: Array<DetectorOptions[K]> };

/**
 * Cartesian product of the profile's value and the listed alternatives of each option, named `k=v,k=v`
 * (the profile's own value adds no override; an alternative equal to it is dropped).
 */
export function product(profile: keyof typeof DETECTOR_PROFILES, axes: Axes): Candidate[] {
  const base = DETECTOR_PROFILES[profile];
  let out: Candidate[] = [{ name: 'default', detector: {} }];
  for (const [k, alts] of Object.entries(axes) as Array<[keyof DetectorOptions, unknown[]]>) {
    const next: Candidate[] = [];
    for (const c of out) {
      next.push(c);
      for (const v of alts) {
        if (JSON.stringify(v) === JSON.stringify(base[k])) continue;
        const name = `${c.name === 'default' ? '' : `${c.name},`}${k}=${JSON.stringify(v)}`;
        next.push({ name, detector: { ...c.detector, [k]: v } });
      }
    }
    out = next;
  }
  return out;
}

/** SKAB (continuous profile). */
export const SKAB_GRID: Candidate[] = product('continuous', { adapt: [0.001, 0.002], adaptSlow: [0.01] });

/** NAB (onset profile). */
export const NAB_GRID: Candidate[] = product('onset', { refractory: [0.15], tailSkip: [0.15] });
