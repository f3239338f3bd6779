import { z } from 'zod';

/** A local action: publish a command on the *plant* broker when an alert of at least this severity opens. */
export const localActionRule = z
  .object({
    /** Minimum severity that triggers the rule. */
    minSeverity: z.enum(['info', 'warning', 'critical']).default('critical'),
    /** Assets the rule applies to; empty = all. */
    assets: z.array(z.string().min(1)).default([]),
    /** Local topic; {asset} and {site} are substituted. Never published upstream. */
    topic: z
      .string()
      .min(1)
      .refine((t) => !/[+#]/.test(t), 'no MQTT wildcards in a publish topic'),
    /** Payload template; {asset}, {site}, {severity}, {alertId}, {pattern} are substituted. */
    payload: z.string().default('{"command":"safe-stop","asset":"{asset}","alertId":"{alertId}"}'),
    qos: z.union([z.literal(0), z.literal(1)]).default(1),
    /** At most one command per asset and rule in this many seconds. */
    minIntervalS: z.number().min(0).default(60),
  })
  .strict();

/** Alert lifecycle rules (owned by the alerts stage). */
export const alertsSection = z
  .object({
    /** Consecutive anomalous sample instants needed to open an alert. */
    openAfter: z.number().int().min(1).default(3),
    /** Consecutive normal sample instants needed to resolve an open alert. */
    resolveAfter: z.number().int().min(1).default(20),
    /**
     * Decisions of one asset less than this far apart (source time, ms) are one sample instant: the
     * signals of one scan arrive as separate messages, and must not open an alert by themselves.
     */
    instantMs: z.number().min(0).default(10),
    /**
     * Deadband for resolution: while open, a decision counts as normal only if
     * score < threshold × deadband, so a score hovering at the threshold does not flap.
     */
    deadband: z.number().gt(0).max(1).default(0.9),
    /** Seconds after a resolution before the same asset may open again (re-opens inside are suppressed and counted). */
    cooldownS: z.number().min(0).default(30),
    severity: z
      .object({
        /** score/threshold at or above which an alert is a warning (below: info). */
        warningRatio: z.number().min(1).default(1.5),
        /** score/threshold at or above which an alert is critical. */
        criticalRatio: z.number().min(1).default(3),
        /** |z| of any moved signal at or above which an alert is critical. */
        criticalZ: z.number().positive().default(8),
      })
      .strict()
      .prefault({}),
    update: z
      .object({
        /** Minimum seconds between two updates of one alert (severity escalation bypasses it). */
        minIntervalS: z.number().min(0).default(10),
        /** Relative change of the peak |z| that counts as a material change, e.g. 0.5 = 50 %. */
        zChange: z.number().positive().default(0.5),
      })
      .strict()
      .prefault({}),
    /** How often per-asset counters (streaks) are persisted; transitions are persisted at once. */
    persistIntervalMs: z.number().int().min(50).default(1000),
    localActions: z
      .object({
        enabled: z.boolean().default(false),
        rules: z.array(localActionRule).default([]),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type AlertsConfig = z.infer<typeof alertsSection>;
export type LocalActionRule = z.infer<typeof localActionRule>;
