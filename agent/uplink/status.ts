/**
 * The retained agent status on `<prefix>/<site>/status`: "online" birth on
 * connect, "offline" death as the MQTT will, and periodic health. Strict and
 * numeric-only health, so the status cannot carry plant data either.
 */
import { z } from 'zod';
import { COMPONENTS, HEALTH_REASONS, type HealthReason } from '../observe/health-reasons.js';
import { activeVersionsSchema } from '../fleet/result.js';

const count = z.number().int().min(0);
const healthState = z.enum(['ok', 'degraded', 'down']);

/** Component states without their free-text messages: enums and times only, so nothing from the plant can ride along. */
export const componentsSchema = z.partialRecord(
  z.enum(COMPONENTS),
  z
    .object({
      state: healthState,
      reason: z.enum(Object.keys(HEALTH_REASONS) as [HealthReason, ...HealthReason[]]),
      since: z.iso.datetime(),
    })
    .strict(),
);

export const healthSchema = z
  .object({
    uptimeS: z.number().min(0),
    outbox: z
      .object({
        queued: count,
        bytes: count,
        maxCount: count,
        maxBytes: count,
        overflow: z.enum(['drop-oldest-resolved-first', 'drop-oldest', 'reject-new']),
        dropped: count,
        rejected: count,
        sent: count,
      })
      .strict(),
    alerts: z.object({ open: count, opened: count, resolved: count, suppressed: count }).strict(),
    /** The worst component state, and each component's state, reason code and since (docs/operations.md). */
    status: healthState.optional(),
    components: componentsSchema.optional(),
    /** Agent-wide counters the controller adds (deadline misses, ...): names and numbers only. */
    metrics: z.record(z.string().regex(/^[a-z][a-z0-9_.]{0,63}$/), z.number().refine(Number.isFinite)).default({}),
  })
  .strict();

export const statusSchema = z
  .object({
    v: z.literal(1),
    agentId: z.string().min(1).max(128),
    agentVersion: z.string().min(1).max(64),
    site: z.string().min(1).max(128),
    state: z.enum(['online', 'offline']),
    ts: z.iso.datetime(),
    health: healthSchema.optional(),
    /** Config and model versions running (remote management, docs/fleet.md). */
    versions: activeVersionsSchema.optional(),
  })
  .strict();

export type Status = z.infer<typeof statusSchema>;
export type Health = z.infer<typeof healthSchema>;

/** JSON Schema of the status payload (for `edge-sentinel schema --status`, if the CLI wants it). */
export function statusJsonSchema(): object {
  return z.toJSONSchema(statusSchema, { target: 'draft-2020-12' });
}
