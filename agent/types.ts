/**
 * The domain types every stage shares. Kept in one small file so the seams
 * between ingest → window → detect → alerts → explain → uplink stay explicit.
 */

/** One decoded value of one signal of one asset, as it left a decoder. */
export interface Sample {
  asset: string;
  signal: string;
  value: number;
  /** Source timestamp in ms since epoch (payload time if present, else arrival wall time). */
  ts: number;
}

/** The anomaly patterns the diagnosis can name. */
export const PATTERNS = ['spike', 'level_shift', 'drift', 'variance_change', 'stuck', 'dropout', 'oscillation', 'unknown'] as const;
export type Pattern = (typeof PATTERNS)[number];

export type Severity = 'info' | 'warning' | 'critical';

/** How one signal stands against its learned baseline at decision time. */
export interface SignalEvidence {
  signal: string;
  unit?: string | undefined;
  value: number;
  /** Learned normal level (mean over the learning phase). */
  baseline: number;
  /** Learned normal spread (standard deviation over the learning phase). */
  spread: number;
  /** Signed deviation in learned standard deviations. */
  z: number;
  /** value / baseline when the baseline is meaningfully non-zero, else null. */
  ratio: number | null;
}

export interface Diagnosis {
  pattern: Pattern;
  /**
   * Signals that moved (a value, level, spread or slope at least 3 learned spreads from normal), most
   * deviant first; empty when none did (the score came from a relation, a context or the joint state).
   */
  signals: string[];
  /** 0..1, how clearly the pattern matched. */
  confidence: number;
  /** What made the score cross the threshold (absent on decisions made before it existed). */
  driver?: Driver;
}

/** What drove an anomalous score (docs/detection.md, "Evidence"). */
export const DRIVERS = ['signal', 'relation', 'context', 'season', 'range', 'stuck', 'stale', 'joint'] as const;

/**
 * signal: a signal's own value/level/spread/slope moved (`feature`, `z`); relation: `signal` left what
 * `partners` predict for it (`expected`, `z` in learned residual spreads) while no signal left its own range;
 * context: `signal` moves in shapes never seen; season: `signal` left its daily/weekly pattern; range: `signal`
 * went beyond every value seen; stuck: `signal` repeats one value; stale: `signal` stopped reporting; joint: no
 * single signal or relation stands out, the combination is unusual.
 */
export interface Driver {
  kind: (typeof DRIVERS)[number];
  signal?: string;
  feature?: 'value' | 'level' | 'spread' | 'slope';
  partners?: string[];
  expected?: number;
  z?: number;
}

/** The decision the hot path produces: one per asset scan (docs/architecture.md, "Scans"). */
export interface Decision {
  asset: string;
  /** Source timestamp of the scan: the newest source time among its values (ms epoch). */
  ts: number;
  /** The asset's scan number (1, 2, ... since the asset's detector was created); always set by the pipeline. */
  scan?: number;
  phase: 'learning' | 'detecting';
  score: number;
  threshold: number;
  anomalous: boolean;
  /** Which detector decided: the ONNX model, or the cheap fallback when the model would miss the deadline. */
  source: 'model' | 'fallback';
  /** Close of the scan → decision (the deadline's clock), microseconds, monotonic; includes handing a trip to the plant broker. */
  latencyUs: number;
  /** First value of the scan arriving → decision, microseconds (includes the wait for its other signals); always set by the pipeline. */
  scanUs?: number;
  deadlineMissed: boolean;
  /** Present when anomalous. */
  evidence?: SignalEvidence[];
  diagnosis?: Diagnosis;
}

/** Why an alert was closed (or flagged) without a normal recovery: its asset stopped reporting. */
export interface StaleInfo {
  /** asset_silent: no sample within its staleness bound; node_death: its Sparkplug edge node or device died. */
  reason: 'asset_silent' | 'node_death';
  /** The last time (ms epoch, arrival) the agent had a decision for the asset. */
  lastSeen: number;
  /** Seconds without data when the alert was closed or flagged. */
  silentS: number;
}

/**
 * Everything the explainer (template or language model) may say about an alert.
 * The verifier checks generated text against exactly these facts.
 */
export interface AlertFacts {
  asset: string;
  assetKind?: string | undefined;
  site: string;
  state: 'open' | 'update' | 'resolved';
  severity: Severity;
  pattern: Pattern;
  /** Seconds since the alert was first seen. */
  durationS: number;
  /** Signals that moved, most deviant first. */
  moved: Array<{
    name: string;
    unit: string;
    value: number;
    baseline: number;
    ratio: number | null;
    z: number;
    direction: 'up' | 'down';
  }>;
  /** Signals of the asset that stayed within normal. */
  steady: string[];
  /** Set when the alert closes (or is flagged) because the asset went silent, not because it recovered. */
  stale?: StaleInfo | undefined;
}
