import { z } from 'zod';

/** InfluxDB duration literal as CREATE RETENTION POLICY takes it: `INF` or e.g. `30d`, `12h`, `2w`, `1h30m`. */
const influxDuration = z.string().regex(/^(INF|(\d+(ns|u|µ|ms|s|m|h|d|w))+)$/, 'an InfluxDB duration such as 30d, 12h, 2w or INF');

/** Per-asset raw-sample downsampling: one point per signal per `everyMs` (mean, min, max, n). 0 = every sample. */
const downsampleRule = z.object({ everyMs: z.number().int().min(0) }).strict();

/**
 * Local history in InfluxDB (owned by the history stage). Off unless a URL is
 * set. InfluxDB 1.x natively; 2.x/3.x through their v1-compatible API
 * (see docs/history.md).
 */
export const historySection = z
  .object({
    /** e.g. http://127.0.0.1:8086 (https supported). Unset = no history. */
    url: z.string().url().optional(),
    database: z.string().min(1).max(64).default('edge_sentinel'),
    /** InfluxDB 1.x user (or 2.x v1-auth user / token name); password may be ${ENV}. */
    username: z.string().optional(),
    password: z.string().optional(),
    retentionPolicy: z
      .object({
        name: z.string().min(1).max(64).default('edge_sentinel'),
        /** How long points are kept; InfluxDB deletes older shards. */
        duration: influxDuration.default('30d'),
        replication: z.number().int().min(1).default(1),
        /** Make it the database's default policy (so plain InfluxQL queries see the data). */
        makeDefault: z.boolean().default(true),
        /** Create the database and policy when missing (off when the user manages the schema). */
        create: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    /** Most points per write request. */
    batchSize: z.number().int().min(1).max(50_000).default(1000),
    /** How often buffered points are written even when no batch is full, ms. */
    flushIntervalMs: z.number().int().min(10).default(1000),
    /** Per-request timeout, ms (a slow InfluxDB must not hold the writer forever). */
    requestTimeoutMs: z.number().int().min(100).default(5000),
    /** Wait after a failed write or schema check before trying again, ms. */
    retryIntervalMs: z.number().int().min(10).default(5000),
    buffer: z
      .object({
        /** Most points held in memory while InfluxDB is slow or down. */
        maxPoints: z.number().int().min(1).default(100_000),
        /** drop-oldest keeps the most recent history; drop-newest keeps the start of an outage. Both count in edge_sentinel_history_dropped_total. */
        overflow: z.enum(['drop-oldest', 'drop-newest']).default('drop-oldest'),
      })
      .strict()
      .prefault({}),
    /** What to write. */
    write: z
      .object({
        samples: z.boolean().default(true),
        /** One point per detecting-phase decision (score, threshold). */
        scores: z.boolean().default(true),
        detections: z.boolean().default(true),
        alerts: z.boolean().default(true),
        /** Phase switches and agent-health events. */
        events: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    downsample: z
      .object({
        default: downsampleRule.prefault({ everyMs: 0 }),
        /** Per-asset override, e.g. { "P-101": { everyMs: 1000 } }. */
        assets: z.record(z.string(), downsampleRule).default({}),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type HistoryConfig = z.infer<typeof historySection>;
