import { z } from 'zod';

export const healthSection = z
  .object({
    downAfterS: z
      .number()
      .min(0)
      .default(30)
      .describe('Seconds a lost connection (plant or uplink) stays degraded before its component is down (and /healthz answers 503).'),
    outboxFill: z
      .number()
      .gt(0)
      .max(1)
      .default(0.8)
      .describe('Outbox fill (count or bytes, whichever is fuller, 0..1) at which the outbox component turns degraded.'),
    stallAfterS: z
      .number()
      .min(1)
      .default(30)
      .describe('Seconds of accepted samples without a single decision before the hot path is down and the systemd watchdog stops.'),
    checkIntervalMs: z
      .number()
      .int()
      .min(50)
      .default(1000)
      .describe('How often the periodic health checks (outbox fill, hot-path progress) run, ms.'),
  })
  .strict()
  .describe('Component health (docs/operations.md).');

export const observeSection = z
  .object({
    http: z
      .object({
        enabled: z.boolean().default(true).describe('Serve /metrics, /healthz and the status page.'),
        host: z.string().default('127.0.0.1').describe('Bind address; 127.0.0.1 by default so metrics never leave the box unless asked.'),
        port: z.number().int().min(0).max(65535).default(9464).describe('TCP port (0 = any free port, printed in the log).'),
        token: z
          .string()
          .min(16, 'at least 16 characters (e.g. openssl rand -hex 16)')
          .optional()
          .describe(
            'Bearer token for the write routes (POST /assets/<asset>/refit): without one they are off. Use ${ENV} or tokenFile; never logged. Required when host is not loopback.',
          ),
        tokenFile: z
          .string()
          .optional()
          .describe('File holding the token (whitespace trimmed), used when token is not set: e.g. a systemd credential.'),
      })
      .strict()
      .prefault({}),
    health: healthSection.prefault({}),
    status: z
      .object({
        enabled: z.boolean().default(true).describe('Serve the live status page at / on the HTTP port (read-only).'),
        windowS: z.number().int().min(10).max(3600).default(300).describe('Time span of the score charts, seconds.'),
        bucketMs: z
          .number()
          .int()
          .min(100)
          .max(60_000)
          .default(2000)
          .describe('Chart resolution: one point per asset per this many ms (the peak score of the bucket).'),
        maxAssets: z
          .number()
          .int()
          .min(1)
          .max(10_000)
          .default(500)
          .describe('Assets charted at most (memory bound: 24 bytes per asset per point); others are counted, not shown.'),
      })
      .strict()
      .prefault({})
      .describe('The live status page: per-asset phase and score chart, open alerts, deadline histogram, component health.'),
  })
  .strict();

export type HealthConfig = z.infer<typeof healthSection>;
