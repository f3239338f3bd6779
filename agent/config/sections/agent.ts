import { z } from 'zod';

export const agentSection = z
  .object({
    id: z
      .string()
      .min(1)
      .regex(/^[A-Za-z0-9_.-]+$/, 'only letters, digits, _ . -')
      .optional()
      .describe('Stable id of this agent in alerts and status; defaults to the host name.'),
    site: z
      .string()
      .min(1)
      .regex(/^[A-Za-z0-9_.-]+$/, 'only letters, digits, _ . -')
      .default('site1')
      .describe('Site name used in upstream topics.'),
    stateDir: z
      .string()
      .min(1)
      .default('./state')
      .describe('The one directory holding all state: baselines, alert state, outbox, egress audit.'),
    storageRetryS: z
      .number()
      .positive()
      .default(10)
      .describe(
        'While the state dir refuses writes (disk full, read-only), how often, seconds, the agent tries again to write back what it keeps in memory.',
      ),
  })
  .strict();

export const logSection = z
  .object({
    level: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('Log level of the JSON log lines on stdout (pino).'),
    rateLimitMs: z
      .number()
      .int()
      .min(0)
      .default(10_000)
      .describe('Minimum ms between two rate-limited log lines of the same kind (decode errors etc.).'),
  })
  .strict();
