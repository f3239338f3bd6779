import { z } from 'zod';

/** The per-asset tunables without defaults (an override names only what differs). */
const tuningFields = {
  /** Samples in the learning phase before detection starts. */
  learnSamples: z.number().int().min(20),
  /** Optional minimum learning duration in seconds (both limits must be met). */
  learnSeconds: z.number().min(0),
  /** Per-sample deadline from arrival to decision, ms. */
  deadlineMs: z.number().positive().max(10_000),
  /** A signal's last value is used for alignment until it is this old, ms. */
  stalenessMs: z.number().int().positive(),
  /** Samples older than the newest seen for the same signal by more than this are late and dropped, ms. */
  lateToleranceMs: z.number().int().min(0),
  /** Pin a threshold instead of learning one (score units). */
  threshold: z.number().positive(),
  /** Asset kind shown in summaries, e.g. "pump". */
  kind: z.string(),
  /** Path to a model card (JSON) of a user's own ONNX model; default: the built-in model. */
  modelCard: z.string(),
};

/** Per-asset tunables; `assets.defaults` applies to all, `assets.overrides[asset]` patches one. */
export const assetTuning = z
  .object({
    learnSamples: tuningFields.learnSamples.default(300),
    learnSeconds: tuningFields.learnSeconds.default(0),
    deadlineMs: tuningFields.deadlineMs.default(5),
    stalenessMs: tuningFields.stalenessMs.default(10_000),
    lateToleranceMs: tuningFields.lateToleranceMs.default(0),
    threshold: tuningFields.threshold.optional(),
    kind: tuningFields.kind.optional(),
    modelCard: tuningFields.modelCard.optional(),
  })
  .strict();

export const assetOverride = z.object(tuningFields).partial().strict();

export const assetsSection = z
  .object({
    defaults: assetTuning.prefault({}),
    overrides: z.record(z.string(), assetOverride).default({}),
    /** Engineering units per signal name, for evidence and summaries. */
    units: z.record(z.string(), z.string()).default({}),
  })
  .strict();

export const detectSection = z
  .object({
    /** ONNX Runtime intra-op threads for the detector session. */
    threads: z.number().int().min(1).max(16).default(1),
    /** Ordered execution providers; unavailable ones fall back to the next (logged). */
    executionProviders: z
      .array(z.enum(['cpu', 'cuda', 'tensorrt', 'xnnpack', 'dml', 'coreml']))
      .min(1)
      .default(['cpu']),
    /** Extreme-value tail fit: risk q of the learned threshold (smaller = fewer alarms). */
    riskQ: z.number().gt(0).lt(0.5).default(1e-4),
    /**
     * Episode profile: "continuous" flags every anomalous sample while it lasts (alerts apply hysteresis);
     * "onset" reports only the first detection of an episode (NAB-style scoring).
     */
    episode: z.enum(['continuous', 'onset']).default('continuous'),
    /** Samples misses in a row before an agent-health alert is raised. */
    missHealthAfter: z.number().int().min(1).default(50),
  })
  .strict();

export type AssetTuning = z.infer<typeof assetTuning>;
