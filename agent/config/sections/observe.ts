import { z } from 'zod';

export const healthSection = z
  .object({
    /** Seconds a connection (plant or uplink) may be lost before its component turns from degraded to down. */
    downAfterS: z.number().min(0).default(30),
    /** Outbox fill (count or bytes, 0..1) at which the outbox component turns degraded. */
    outboxFill: z.number().gt(0).max(1).default(0.8),
    /** Seconds of accepted samples without a single decision before the hot path is down (and the watchdog stops). */
    stallAfterS: z.number().min(1).default(30),
    /** How often the periodic checks (outbox fill, hot-path progress) run, ms. */
    checkIntervalMs: z.number().int().min(50).default(1000),
  })
  .strict();

export const observeSection = z
  .object({
    http: z
      .object({
        enabled: z.boolean().default(true).describe('Serve /metrics, /healthz and the status page.'),
        host: z.string().default('127.0.0.1').describe('Bind address; 127.0.0.1 by default so metrics never leave the box unless asked.'),
        port: z.number().int().min(0).max(65535).default(9464).describe('TCP port (0 = any free port, printed in the log).'),
      })
      .strict()
      .prefault({}),
    health: healthSection.prefault({}),
  })
  .strict();

export type HealthConfig = z.infer<typeof healthSection>;
