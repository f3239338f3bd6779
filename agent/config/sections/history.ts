import { z } from 'zod';

/** InfluxDB duration literal as CREATE RETENTION POLICY takes it: `INF` or e.g. `30d`, `12h`, `2w`, `1h30m`. */
const influxDuration = z.string().regex(/^(INF|(\d+(ns|u|µ|ms|s|m|h|d|w))+)$/, 'an InfluxDB duration such as 30d, 12h, 2w or INF');

/** Per-asset raw-sample downsampling: one point per signal per `everyMs` (mean, min, max, n). 0 = every sample. */
const downsampleRule = z
  .object({ everyMs: z.number().int().min(0).describe('One point per signal per this many ms (mean, min, max, n); 0 = every raw sample.') })
  .strict();

/**
 * Local history in InfluxDB (owned by the history stage). Off unless a URL is
 * set. InfluxDB 1.x natively; 2.x/3.x through their v1-compatible API
 * (see docs/history.md).
 */
export const historySection = z
  .object({
    url: z.string().url().optional().describe('e.g. http://127.0.0.1:8086 (https supported). Unset = no history.'),
    database: z
      .string()
      .min(1)
      .max(64)
      .default('edge_sentinel')
      .describe('InfluxDB database (created when missing, see retentionPolicy.create).'),
    username: z.string().optional().describe('InfluxDB 1.x user (or 2.x v1-auth user / token name); password may be ${ENV}.'),
    password: z.string().optional().describe('InfluxDB password or token; use ${ENV} substitution, never logged.'),
    retentionPolicy: z
      .object({
        name: z.string().min(1).max(64).default('edge_sentinel').describe('Retention policy name.'),
        duration: influxDuration.default('30d').describe('How long points are kept; InfluxDB deletes older shards.'),
        replication: z.number().int().min(1).default(1).describe('Replication factor (1 on a single InfluxDB).'),
        makeDefault: z.boolean().default(true).describe("Make it the database's default policy (so plain InfluxQL queries see the data)."),
        create: z.boolean().default(true).describe('Create the database and policy when missing (off when the user manages the schema).'),
      })
      .strict()
      .prefault({}),
    batchSize: z.number().int().min(1).max(50_000).default(1000).describe('Most points per write request.'),
    flushIntervalMs: z
      .number()
      .int()
      .min(10)
      .default(1000)
      .describe('How often buffered points are written even when no batch is full, ms.'),
    requestTimeoutMs: z
      .number()
      .int()
      .min(100)
      .default(5000)
      .describe('Per-request timeout, ms (a slow InfluxDB must not hold the writer forever).'),
    retryIntervalMs: z.number().int().min(10).default(5000).describe('Wait after a failed write or schema check before trying again, ms.'),
    buffer: z
      .object({
        maxPoints: z.number().int().min(1).default(100_000).describe('Most points held in memory while InfluxDB is slow or down.'),
        overflow: z
          .enum(['drop-oldest', 'drop-newest'])
          .default('drop-oldest')
          .describe(
            'drop-oldest keeps the most recent history; drop-newest keeps the start of an outage. Both count in edge_sentinel_history_dropped_total.',
          ),
      })
      .strict()
      .prefault({}),
    write: z
      .object({
        samples: z.boolean().default(true).describe('Raw samples (measurement sample), downsampled per downsample.'),
        scores: z.boolean().default(true).describe('One point per detecting-phase decision: score, threshold (measurement score).'),
        detections: z.boolean().default(true).describe('Anomalous decisions with their diagnosis (measurement detection).'),
        alerts: z.boolean().default(true).describe('Alert transitions with their summaries (measurement alert).'),
        events: z.boolean().default(true).describe('Phase switches and agent-health events (measurements phase, health).'),
      })
      .strict()
      .prefault({})
      .describe('Which measurements to write.'),
    downsample: z
      .object({
        default: downsampleRule.prefault({ everyMs: 0 }),
        assets: z.record(z.string(), downsampleRule).default({}).describe('Per-asset override, e.g. { "P-101": { everyMs: 1000 } }.'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type HistoryConfig = z.infer<typeof historySection>;
