import { z } from 'zod';
import { brokerSchema } from './plant.js';

/** An Ed25519 public key this agent trusts to sign config and model bundles. */
export const trustedKeySchema = z
  .object({
    id: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9_.-]+$/, 'only letters, digits, _ . -')
      .describe('Name the signer puts in each bundle (keyId), e.g. "ops-2026".'),
    publicKey: z
      .string()
      .regex(/^[A-Za-z0-9+/]{43}=$/, 'must be a 32-byte Ed25519 public key in base64 (44 characters, from edge-sentinel keygen)')
      .describe('The raw 32-byte Ed25519 public key in base64, as printed by `edge-sentinel keygen`.'),
  })
  .strict();

/**
 * Signed remote management (docs/fleet.md): config and model bundles arrive
 * retained on `<prefix>/<site>/<agent>/cmd/config` and `…/cmd/model`, are
 * verified against `trustedKeys`, validated, applied with the previous
 * version kept, and rolled back when the agent turns unhealthy.
 */
export const fleetSection = z
  .object({
    enabled: z.boolean().default(false).describe('Accept signed config and model bundles (edge-sentinel run then supervises the agent).'),
    broker: brokerSchema
      .optional()
      .describe('The broker commands arrive on; default: uplink.broker (the edge broker bridged to the central one).'),
    prefix: z
      .string()
      .min(1)
      .refine((p) => !/[+#]/.test(p) && !p.startsWith('/') && !p.endsWith('/'), 'no wildcards, no leading/trailing /')
      .optional()
      .describe('Topic prefix of <prefix>/<site>/<agent>/cmd/…; default: uplink.prefix.'),
    trustedKeys: z
      .array(trustedKeySchema)
      .max(16)
      .default([])
      .describe('Keys whose signatures are accepted; several during a rotation (old and new).'),
    rollbackAfterS: z
      .number()
      .int()
      .min(5)
      .max(86_400)
      .default(120)
      .describe('Seconds after an apply during which an agent that turns unhealthy rolls back to the previous version on its own.'),
    unhealthyForS: z
      .number()
      .int()
      .min(1)
      .max(600)
      .default(5)
      .describe(
        'Consecutive seconds a component must stay degraded or down, for a reason it did not have before the apply, to count as "turned unhealthy".',
      ),
    maxBundleBytes: z
      .number()
      .int()
      .min(1024)
      .default(32 * 1024 * 1024)
      .describe('Largest bundle accepted (bytes, checked before parsing); a model bundle carries its ONNX file.'),
    auditFile: z
      .string()
      .min(1)
      .default('fleet-audit.log')
      .describe('Command audit log (JSON lines: every accepted and refused command), relative to the state dir.'),
  })
  .strict();

export type FleetConfig = z.infer<typeof fleetSection>;
export type TrustedKey = z.infer<typeof trustedKeySchema>;
