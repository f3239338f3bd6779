import { z } from 'zod';

export const agentSection = z
  .object({
    /** Stable id of this agent in alerts and status; defaults to the host name. */
    id: z
      .string()
      .min(1)
      .regex(/^[A-Za-z0-9_.-]+$/, 'only letters, digits, _ . -')
      .optional(),
    /** Site name used in upstream topics. */
    site: z
      .string()
      .min(1)
      .regex(/^[A-Za-z0-9_.-]+$/, 'only letters, digits, _ . -')
      .default('site1'),
    /** The one directory holding all state: baselines, alert state, outbox, egress audit. */
    stateDir: z.string().min(1).default('./state'),
  })
  .strict();

export const logSection = z
  .object({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Minimum ms between two rate-limited log lines of the same kind (decode errors etc.). */
    rateLimitMs: z.number().int().min(0).default(10_000),
  })
  .strict();
