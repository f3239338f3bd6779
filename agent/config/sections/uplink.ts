import { z } from 'zod';
import { brokerSchema } from './plant.js';

/**
 * What may leave the box. An enum, not free text: the config can narrow the
 * allowlist but can never name raw samples, features or baselines.
 * "command" is the result of a remote-management command (agent/fleet/);
 * "digest" is the one-sentence alert-storm digest (agent/explain/digest.ts).
 */
export const EGRESS_KINDS = ['alert', 'status', 'health', 'command', 'digest'] as const;
export type EgressKind = (typeof EGRESS_KINDS)[number];

export const outboxSchema = z
  .object({
    maxCount: z.number().int().min(1).default(10_000).describe('Most alerts held on disk.'),
    maxBytes: z
      .number()
      .int()
      .min(1024)
      .default(16 * 1024 * 1024)
      .describe('Most payload bytes held on disk.'),
    overflow: z
      .enum(['drop-oldest-resolved-first', 'drop-oldest', 'reject-new'])
      .default('drop-oldest-resolved-first')
      .describe(
        'What to do when a new alert does not fit; every drop is counted, logged and reported in health. drop-oldest-resolved-first: evict the oldest resolution, then update, then open. drop-oldest: evict the oldest alert. reject-new: keep the queue, refuse the new alert.',
      ),
    synchronous: z
      .enum(['full', 'normal'])
      .default('full')
      .describe(
        'SQLite synchronous mode with WAL. "full" fsyncs the WAL on every commit: survives kill -9 and power loss. "normal" survives kill -9 but may lose the last commits on power loss (cheaper on SD cards).',
      ),
  })
  .strict();

/** Sparkplug B ids may not contain + / # (tck-id-topic-structure-namespace-valid-group-id, -edge-node-id). */
const sparkplugIdSchema = z
  .string()
  .min(1)
  .max(128)
  .refine((v) => !/[/+#]/.test(v), 'no / + # in a Sparkplug id');

export const sparkplugUplinkSchema = z
  .object({
    groupId: sparkplugIdSchema.optional().describe('Sparkplug group id; default: agent.site.'),
    edgeNodeId: sparkplugIdSchema.optional().describe('Sparkplug edge node id; default: the agent id.'),
    primaryHostId: sparkplugIdSchema
      .optional()
      .describe(
        "The primary host application's id: births (and so alerts) wait until its STATE says online, and stop when it goes offline; alerts queue in the outbox meanwhile. Unset: publish whenever connected.",
      ),
  })
  .strict();

/** Upstream delivery (owned by the uplink stage). Disabled unless a broker is configured. */
export const uplinkSection = z
  .object({
    enabled: z.boolean().default(false).describe('Send alerts and status upstream (needs broker).'),
    prefix: z
      .string()
      .min(1)
      .default('edge-sentinel')
      .refine((p) => !/[+#]/.test(p) && !p.startsWith('/') && !p.endsWith('/'), 'no wildcards, no leading/trailing /')
      .describe('Topic prefix: alerts go to <prefix>/<site>/<asset>/alert, status to <prefix>/<site>/status.'),
    statusPerAgent: z
      .boolean()
      .default(false)
      .describe(
        'Publish the retained status on <prefix>/<site>/<agent>/status instead of <prefix>/<site>/status: needed when several agents share one site (each takes a subset of its assets, docs/fleet.md), or their retained statuses and wills overwrite each other.',
      ),
    format: z
      .enum(['json', 'sparkplug'])
      .default('json')
      .describe(
        'Wire format upstream: "json" (the v1 alert on <prefix>/<site>/<asset>/alert, retained status) or "sparkplug" (the agent is a Sparkplug B edge node, each asset a device; docs/fleet.md).',
      ),
    sparkplug: sparkplugUplinkSchema.prefault({}).describe('The Sparkplug B edge node (used when format is "sparkplug").'),
    broker: brokerSchema.optional().describe('The upstream broker (usually not the plant broker); required when enabled.'),
    healthIntervalS: z
      .number()
      .int()
      .min(0)
      .default(60)
      .describe('Seconds between health updates in the retained status (0 = only birth/death).'),
    egress: z
      .object({
        allow: z
          .array(z.enum(EGRESS_KINDS))
          .default([...EGRESS_KINDS])
          .describe('Kinds of message allowed upstream. Raw samples, features and baselines are not a kind.'),
        auditFile: z.string().min(1).default('egress-audit.log').describe('Audit log file (JSON lines), relative to the state dir.'),
        auditMaxBytes: z
          .number()
          .int()
          .min(4096)
          .default(8 * 1024 * 1024)
          .describe('Rotate the audit log past this size (bytes): <file>.1 … <file>.<auditKeep>, oldest dropped.'),
        auditKeep: z.number().int().min(1).max(100).default(3).describe('Rotated audit files kept.'),
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
