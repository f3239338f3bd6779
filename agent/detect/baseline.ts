import type { ContextState } from './context.js';
import type { PcaParams } from './fit.js';
import type { RelationState } from './relation.js';
import type { Season } from './season.js';
import type { LikelihoodState } from './likelihood.js';
import type { ThresholdState } from './threshold.js';

/** Everything an asset learned, as persisted in `<stateDir>/baselines/<asset>.json`. */
export interface Baseline {
  v: 1;
  asset: string;
  /** Signal order of the feature vector. */
  signals: string[];
  learnedAt: number;
  samples: number;
  /** Model id (name@version) the parameters were fitted for; a different model means relearn. */
  model: string;
  pca: PcaParams;
  /** Raw-value mean and spread per signal (evidence and fallback detector). */
  mean: number[];
  spread: number[];
  /** Raw-value range seen per signal up to the end of learning (spatial novelty). */
  lo?: number[];
  hi?: number[];
  /** Per signal: a run of this many identical values is a stuck sensor (Infinity/absent = rule off for that signal). */
  stuckRun?: number[];
  /** Per signal: its learned period and largest period-difference seen (null = not periodic). */
  season?: Array<Season | null>;
  /** Per signal: the value contexts seen so far (null = constant while learning; absent = rule off). */
  context?: Array<ContextState | null>;
  /** Per signal: slow (integrating) while learning, so its level follows faster (DetectorOptions.adaptSlow). */
  slow?: boolean[];
  /** Each signal's value regressed on the others' while learning (evidence of a broken relation; absent = before it existed). */
  relation?: RelationState;
  /** Recent scores of the anomaly-likelihood layer, so a restart does not start cold. */
  likelihood?: LikelihoodState;
  modelThreshold: ThresholdState;
  fallbackThreshold: ThresholdState;
}
