import type { PcaParams } from './fit.js';
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
  modelThreshold: ThresholdState;
  fallbackThreshold: ThresholdState;
}
