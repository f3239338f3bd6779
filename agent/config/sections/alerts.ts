import { z } from 'zod';

/** A local action: publish a command on the *plant* broker when an alert of at least this severity opens. */
export const localActionRule = z
  .object({
    minSeverity: z.enum(['info', 'warning', 'critical']).default('critical').describe('Minimum severity that triggers the rule.'),
    assets: z.array(z.string().min(1)).default([]).describe('Assets the rule applies to; empty = all.'),
    topic: z
      .string()
      .min(1)
      .refine((t) => !/[+#]/.test(t), 'no MQTT wildcards in a publish topic')
      .describe('Local topic; {asset} and {site} are substituted. Never published upstream.'),
    payload: z
      .string()
      .default('{"command":"safe-stop","asset":"{asset}","alertId":"{alertId}"}')
      .describe('Payload template; {asset}, {site}, {severity}, {alertId}, {pattern} are substituted.'),
    qos: z
      .union([z.literal(0), z.literal(1)])
      .default(1)
      .describe('MQTT QoS of the command.'),
    minIntervalS: z.number().min(0).default(60).describe('At most one command per asset and rule in this many seconds.'),
  })
  .strict();

/**
 * A trip: publish a command on the *plant* broker when an asset's scans stay at or above a trip level for N scans in
 * a row. Evaluated on every decision on the hot path; neither alert hysteresis nor cooldown delays or suppresses it.
 */
export const tripRule = z
  .object({
    ratio: z.number().positive().optional().describe('Trip level: the score over its threshold at or above this ratio (e.g. 3).'),
    z: z
      .number()
      .positive()
      .optional()
      .describe('Trip level: any signal this many learned standard deviations off its level (|z|, e.g. 8).'),
    scans: z
      .number()
      .int()
      .min(1)
      .default(3)
      .describe('Consecutive scans at or above the level before the command is sent (debounce); as many below it re-arm the trip.'),
    assets: z.array(z.string().min(1)).default([]).describe('Assets the trip applies to; empty = all.'),
    topic: z
      .string()
      .min(1)
      .refine((t) => !/[+#]/.test(t), 'no MQTT wildcards in a publish topic')
      .describe('Local topic; {asset} and {site} are substituted. Never published upstream.'),
    payload: z
      .string()
      .default('{"command":"safe-stop","asset":"{asset}","reason":"trip","ratio":{ratio},"z":{z}}')
      .describe('Payload template; {asset}, {site}, {severity}, {pattern}, {ratio} and {z} are substituted.'),
    qos: z
      .union([z.literal(0), z.literal(1)])
      .default(1)
      .describe('MQTT QoS of the command.'),
  })
  .strict()
  .refine((t) => t.ratio !== undefined || t.z !== undefined, { message: 'a trip needs a level: ratio, z, or both' });

/** Alert lifecycle rules (owned by the alerts stage). */
export const alertsSection = z
  .object({
    openAfter: z.number().int().min(1).default(3).describe('Consecutive anomalous scans (decisions) of an asset needed to open an alert.'),
    resolveAfter: z.number().int().min(1).default(20).describe('Consecutive normal scans of an asset needed to resolve an open alert.'),
    deadband: z
      .number()
      .gt(0)
      .max(1)
      .default(0.9)
      .describe(
        'Deadband for resolution: while open, a decision counts as normal only if score < threshold × deadband, so a score hovering at the threshold does not flap.',
      ),
    cooldownS: z
      .number()
      .min(0)
      .default(30)
      .describe(
        'Seconds after a resolution during which the same asset does not open again at the same or a lower severity (suppressed opens are counted); an alert of higher severity than the one that resolved opens at once.',
      ),
    severity: z
      .object({
        warningRatio: z.number().min(1).default(1.5).describe('score/threshold at or above which an alert is a warning (below: info).'),
        criticalRatio: z.number().min(1).default(3).describe('score/threshold at or above which an alert is critical.'),
        criticalZ: z.number().positive().default(8).describe('|z| of any moved signal at or above which an alert is critical.'),
      })
      .strict()
      .prefault({}),
    update: z
      .object({
        minIntervalS: z
          .number()
          .min(0)
          .default(10)
          .describe('Minimum seconds between two updates of one alert (severity escalation bypasses it).'),
        zChange: z
          .number()
          .positive()
          .default(0.5)
          .describe('Relative change of the peak |z| that counts as a material change, e.g. 0.5 = 50 %.'),
      })
      .strict()
      .prefault({}),
    persistIntervalMs: z
      .number()
      .int()
      .min(50)
      .default(1000)
      .describe('How often per-asset counters (streaks) are persisted; transitions are persisted at once.'),
    onSilence: z
      .enum(['resolve', 'flag'])
      .default('resolve')
      .describe(
        "An asset with no sample for longer than its staleness bound (assets.*.stalenessMs) is silent: its open alert is resolved as stale ('resolve'), or flagged stale and kept open ('flag'). Either way an asset-silent event is logged and emitted.",
      ),
    localActions: z
      .object({
        enabled: z.boolean().default(false).describe('Run the rules below (off by default: a command to a machine is opt-in).'),
        rules: z.array(localActionRule).default([]).describe('Commands to publish on the plant broker when an alert opens or escalates.'),
        trips: z
          .array(tripRule)
          .default([])
          .describe(
            'Commands to publish on the plant broker on the decision itself (hot path, within the deadline), whatever the alert lifecycle does.',
          ),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type AlertsConfig = z.infer<typeof alertsSection>;
export type LocalActionRule = z.infer<typeof localActionRule>;
export type TripRule = z.infer<typeof tripRule>;
