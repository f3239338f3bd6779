import { z } from 'zod';

/** The per-asset tunables without defaults (an override names only what differs). */
const tuningFields = {
  learnSamples: z
    .number()
    .int()
    .min(20)
    .describe('Asset scans in the learning phase before detection starts (one scan = one decision; see docs/architecture.md).'),
  learnSeconds: z.number().min(0).describe('Optional minimum learning duration in seconds (both limits must be met).'),
  deadlineMs: z.number().positive().max(10_000).describe('Deadline per asset scan, from the close of the scan to its decision, ms.'),
  scanCloseMs: z
    .number()
    .positive()
    .max(3_600_000)
    .describe(
      'Close timer of a scan, ms from its first value: a scan still incomplete then is decided with the last values of its missing signals. Unset = 1.5 × the learned scan period, at least 20 ms (1000 ms until learned). Multi-signal messages close their scan at their end regardless.',
    ),
  clockSkewMs: z
    .number()
    .min(0)
    .describe(
      'Clock-skew bound, ms: a sample stamped further than this in the future (against this box clock) is rejected and counted (reason "future"); it never moves the signal clock.',
    ),
  stalenessMs: z.number().int().positive().describe("A signal's last value is used for alignment until it is this old, ms."),
  lateToleranceMs: z
    .number()
    .int()
    .min(0)
    .describe('Samples older than the newest seen for the same signal by more than this are late and dropped, ms.'),
  threshold: z.number().positive().describe('Pin a threshold instead of learning one (score units).'),
  kind: z.string().describe('Asset kind shown in summaries, e.g. "pump".'),
  modelCard: z.string().describe("Path to a model card (JSON) of a user's own ONNX model; default: the built-in model."),
};

/** Per-asset tunables; `assets.defaults` applies to all, `assets.overrides[asset]` patches one. */
export const assetTuning = z
  .object({
    learnSamples: tuningFields.learnSamples.default(300),
    learnSeconds: tuningFields.learnSeconds.default(0),
    deadlineMs: tuningFields.deadlineMs.default(5),
    stalenessMs: tuningFields.stalenessMs.default(10_000),
    lateToleranceMs: tuningFields.lateToleranceMs.default(0),
    scanCloseMs: tuningFields.scanCloseMs.optional(),
    clockSkewMs: tuningFields.clockSkewMs.default(60_000),
    threshold: tuningFields.threshold.optional(),
    kind: tuningFields.kind.optional(),
    modelCard: tuningFields.modelCard.optional(),
  })
  .strict();

export const assetOverride = z.object(tuningFields).partial().strict();

export const assetsSection = z
  .object({
    defaults: assetTuning.prefault({}),
    overrides: z
      .record(z.string(), assetOverride)
      .default({})
      .describe('Per-asset changes to the defaults, keyed by asset name; name only what differs.'),
    units: z.record(z.string(), z.string()).default({}).describe('Engineering units per signal name, for evidence and summaries.'),
    maxAssets: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(2000)
      .describe(
        'Most assets tracked: bounds memory (~67 KB per learning asset, measured by bench:fuzz) and the /metrics label sets against a flood of bogus topics; samples of further assets are rejected and counted (edge_sentinel_rejected_samples_total{reason="assetLimit"}).',
      ),
    maxSignals: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(256)
      .describe('Most signals one asset may learn; samples of further signal names are rejected and counted (reason "signalLimit").'),
  })
  .strict();

export const detectSection = z
  .object({
    threads: z.number().int().min(1).max(16).default(1).describe('ONNX Runtime intra-op threads for the detector session.'),
    executionProviders: z
      .array(z.enum(['cpu', 'cuda', 'tensorrt', 'xnnpack', 'dml', 'coreml']))
      .min(1)
      .default(['cpu'])
      .describe('Ordered execution providers; unavailable ones fall back to the next (logged).'),
    riskQ: z
      .number()
      .gt(0)
      .lt(0.5)
      .default(1e-4)
      .describe('Extreme-value tail fit: risk q of the learned threshold (smaller = fewer alarms).'),
    episode: z
      .enum(['continuous', 'onset'])
      .default('continuous')
      .describe(
        'Episode profile: "continuous" flags every anomalous sample while it lasts (alerts apply hysteresis); "onset" reports only the first detection of an episode (NAB-style scoring).',
      ),
    missHealthAfter: z
      .number()
      .int()
      .min(1)
      .default(50)
      .describe('Deadline misses in a row (scans decided by the fallback) before an agent-health problem is raised.'),
    schedule: z
      .object({
        policy: z
          .enum(['other', 'fifo', 'rr'])
          .default('other')
          .describe('Scheduling policy of the hot thread: "other" (normal, the default), or real-time "fifo" or "rr".'),
        priority: z.number().int().min(1).max(99).default(10).describe('Real-time priority of the hot thread (fifo, rr), 1..99.'),
        cpus: z
          .string()
          .regex(/^\d+(-\d+)?(,\d+(-\d+)?)*$/, 'a CPU list such as 3, 2-3 or 1,3')
          .optional()
          .describe('CPUs the hot thread may run on (taskset list, e.g. "3"); unset = the process affinity.'),
      })
      .strict()
      .prefault({})
      .describe(
        'Scheduling of the hot thread alone (not the whole process), applied with chrt and taskset to its thread id; unprivileged it needs systemd LimitRTPRIO= and RestrictRealtime=no (hardware/README.md). A failure is logged and detection runs at normal priority.',
      ),
    isolation: z
      .enum(['thread', 'inline'])
      .default('thread')
      .describe(
        'Where the hot path runs: "thread" = its own worker thread, event loop, heap and plant-broker connection, so alert commits, summaries, uplink and HTTP cannot stall a decision (docs/architecture.md); "inline" = the main event loop (for debugging and the in-process benchmark).',
      ),
  })
  .strict();

export type AssetTuning = z.infer<typeof assetTuning>;
