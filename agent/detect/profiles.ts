/**
 * Episode profiles of the detector: how a raw model score becomes a decision
 * (likelihood, refractory, rules, baseline follow). Split from detector.ts.
 */
/** A value this far (fraction of the seen range) beyond every value seen before is anomalous by itself. */
export const NOVELTY_TOL = 0.01;
/** Shortest run of identical values called stuck (a healthy noisy sensor practically never repeats this often). */
export const STUCK_RUN = 10;
/** Seasonal rule tolerance: fraction beyond the largest period-difference seen. */
export const SEASON_TOL = 0.1;

/** Episode handling of one detector (the same for every asset of a deployment or benchmark). */
export interface DetectorOptions {
  /**
   * After a detection, the rest of the episode is not re-reported: scores are
   * zeroed for this many learning-lengths (NAB rewards the first detection of
   * an anomaly and bills every repeat). 0 = report every anomalous sample.
   */
  refractory: number;
  /** Spatial novelty: a value beyond everything seen by this fraction of the seen range is anomalous (Infinity = off). */
  novelty: number;
  /** Score = anomaly likelihood of the model score against its own recent distribution (NAB-style), else the model score itself. */
  likelihood: boolean;
  /** EWMA weight of the newest model score (1 = no smoothing); smoothing trades a little delay for far fewer one-sample false alarms. */
  smooth: number;
  /** Per-sample weight with which the learned feature means follow normal samples (concept drift); 0 = frozen baseline. */
  adapt: number;
  /**
   * Stuck sensor: a run of identical values at least this long, and longer than twice the longest run seen
   * while learning, is anomalous by itself even inside the normal range (Infinity = off).
   */
  stuck: number;
  /**
   * Seasonal rule: for a clearly periodic signal, a difference to the value one period ago beyond every
   * such difference seen, by this fraction, is anomalous by itself (Infinity = off).
   */
  season: number;
  /**
   * Per-decision weight with which the level of a slow signal (lag-1 autocorrelation >= 0.75 while
   * learning: a temperature, a tank level) follows its current value on normal samples (0 = off).
   */
  adaptSlow: number;
  /**
   * Fraction of the learning phase's first scores left out of the threshold's tail fit. The likelihood's
   * first outputs judge a score against a handful of earlier ones: they are the likelihood warming up, not
   * its steady-state tail, and they inflated or deflated the learned threshold file by file (0 = fit on all).
   */
  tailSkip: number;
  /**
   * Context novelty: when at least this fraction of the last 10 rows brought a signal shape (3 values on 5 levels of
   * the learned range) never seen before, the signal moves as it never has (Infinity = off). See context.ts.
   */
  context: number;
}

/**
 * Two episode profiles (config `detect.episode`):
 * - continuous (the daemon's default): every anomalous sample is flagged while the anomaly lasts, so the
 *   alert lifecycle can apply its hysteresis and resolve; the baseline follows normal samples very slowly.
 * - onset: only the first detection of an episode is reported (a refractory period), scored as an anomaly
 *   likelihood, with the range rule — what NAB's scoring rewards (used by bench:nab).
 */
export const DETECTOR_PROFILES: Record<'continuous' | 'onset', DetectorOptions> = {
  continuous: {
    refractory: 0,
    novelty: Infinity,
    likelihood: false,
    smooth: 1,
    adapt: 0.0005,
    stuck: STUCK_RUN,
    season: Infinity,
    adaptSlow: 0.005,
    tailSkip: 0,
    context: Infinity,
  },
  onset: {
    refractory: 0.25,
    novelty: NOVELTY_TOL,
    likelihood: true,
    smooth: 1,
    adapt: 0,
    stuck: STUCK_RUN,
    season: SEASON_TOL,
    adaptSlow: 0,
    tailSkip: 0.25,
    context: 0.5,
  },
};

export const DEFAULT_DETECTOR_OPTIONS: DetectorOptions = DETECTOR_PROFILES.continuous;
