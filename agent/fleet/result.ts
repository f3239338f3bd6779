/**
 * The result of a remote-management command, published retained on
 * `<prefix>/<site>/<agent>/cmd/result` through the egress gate and written
 * to the command audit log. Strict: names, numbers and our own messages
 * only, so a result cannot carry plant data either.
 */
import { z } from 'zod';
import { BUNDLE_KINDS } from './bundle.js';

/** Why a command was refused or undone; stable keys (see RefusalReason). */
export const RESULT_REASONS = [
  'too-large',
  'malformed',
  'unsigned',
  'unknown-key',
  'bad-signature',
  'wrong-target',
  'wrong-kind',
  'replay',
  'invalid-config',
  'invalid-model',
  'apply-failed',
  /** Rolled back: agent.health() stayed bad for fleet.unhealthyForS within fleet.rollbackAfterS. */
  'unhealthy',
  /** Rolled back: the agent died during the trial (found at the next start). */
  'crashed',
] as const;

export type ResultReason = (typeof RESULT_REASONS)[number];

/** The versions an agent runs (null = its local config file / the built-in model). */
export const activeVersionsSchema = z
  .object({
    config: z.number().int().nullable(),
    model: z.number().int().nullable(),
    /** The detector model's `name@version`. */
    modelLabel: z.string().max(160).nullable(),
  })
  .strict();

export const commandResultSchema = z
  .object({
    v: z.literal(1),
    agentId: z.string().min(1).max(128),
    site: z.string().min(1).max(128),
    kind: z.enum(BUNDLE_KINDS),
    /** The bundle's version; null when it could not be read far enough to know. */
    version: z.number().int().nullable(),
    /**
     * applied: running it (confirmed once healthy through fleet.rollbackAfterS: `confirmed`);
     * refused: not applied, the running version is unchanged; rolled-back: applied, then undone;
     * duplicate: the version already running (a retained bundle seen again).
     */
    outcome: z.enum(['applied', 'refused', 'rolled-back', 'duplicate']),
    reason: z.enum(RESULT_REASONS).optional(),
    /** True once an applied version has stayed healthy through the rollback window. */
    confirmed: z.boolean().optional(),
    message: z.string().max(1000),
    keyId: z.string().max(64).optional(),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    active: activeVersionsSchema,
    ts: z.iso.datetime(),
  })
  .strict();

export type CommandResult = z.infer<typeof commandResultSchema>;
export type ActiveVersions = z.infer<typeof activeVersionsSchema>;
