import { z } from 'zod';
import { brokerSchema } from './plant.js';

/**
 * What may leave the box. An enum, not free text: the config can narrow the
 * allowlist but can never name raw samples, features or baselines.
 */
export const EGRESS_KINDS = ['alert', 'status', 'health'] as const;
export type EgressKind = (typeof EGRESS_KINDS)[number];

export const outboxSchema = z
  .object({
    /** Most alerts held on disk. */
    maxCount: z.number().int().min(1).default(10_000),
    /** Most payload bytes held on disk. */
    maxBytes: z
      .number()
      .int()
      .min(1024)
      .default(16 * 1024 * 1024),
    /**
     * What happens when a new alert does not fit (always counted, logged and
     * reported in health — never silent):
     * - drop-oldest-resolved-first: evict the oldest resolution, then update, then open;
     * - drop-oldest: evict the oldest alert whatever its state;
     * - reject-new: keep what is queued and refuse the new alert.
     */
    overflow: z.enum(['drop-oldest-resolved-first', 'drop-oldest', 'reject-new']).default('drop-oldest-resolved-first'),
    /**
     * SQLite synchronous mode with WAL. "full" fsyncs the WAL on every commit:
     * survives kill -9 and power loss. "normal" survives kill -9 but may lose
     * the last commits on power loss (cheaper on SD cards).
     */
    synchronous: z.enum(['full', 'normal']).default('full'),
  })
  .strict();

/** Upstream delivery (owned by the uplink stage). Disabled unless a broker is configured. */
export const uplinkSection = z
  .object({
    enabled: z.boolean().default(false),
    /** Topic prefix: alerts go to <prefix>/<site>/<asset>/alert, status to <prefix>/<site>/status. */
    prefix: z
      .string()
      .min(1)
      .default('edge-sentinel')
      .refine((p) => !/[+#]/.test(p) && !p.startsWith('/') && !p.endsWith('/'), 'no wildcards, no leading/trailing /'),
    /** The upstream broker (usually not the plant broker); required when enabled. */
    broker: brokerSchema.optional(),
    /** Seconds between health updates in the retained status (0 = only birth/death). */
    healthIntervalS: z.number().int().min(0).default(60),
    egress: z
      .object({
        /** Kinds of message allowed upstream. Raw samples, features and baselines are not a kind. */
        allow: z.array(z.enum(EGRESS_KINDS)).default([...EGRESS_KINDS]),
        /** Audit log file (JSON lines), relative to the state dir. */
        auditFile: z.string().min(1).default('egress-audit.log'),
        /** Rotate the audit log past this size (bytes): <file>.1 … <file>.<auditKeep>, oldest dropped. */
        auditMaxBytes: z
          .number()
          .int()
          .min(4096)
          .default(8 * 1024 * 1024),
        /** Rotated audit files kept. */
        auditKeep: z.number().int().min(1).max(100).default(3),
      })
      .strict()
      .prefault({}),
    outbox: outboxSchema.prefault({}),
  })
  .strict()
  .superRefine((u, ctx) => {
    if (u.enabled && !u.broker) {
      ctx.addIssue({ code: 'custom', path: ['broker'], message: 'uplink.enabled is true but no uplink.broker is set' });
    }
  });

export type UplinkConfig = z.infer<typeof uplinkSection>;
export type OutboxConfig = z.infer<typeof outboxSchema>;
