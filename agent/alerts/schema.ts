/**
 * The v1 alert payload: the one contract between this agent and whatever
 * consumes its alerts upstream. Strict objects on purpose: an unknown key is
 * rejected, so nothing (a raw sample, a feature vector) can ride along in an
 * alert by accident — the egress gate validates every alert against this.
 */
import { z } from 'zod';
import { DRIVERS, PATTERNS } from '../types.js';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

/** How one signal stood against its learned baseline when the alert was emitted. */
export const alertEvidenceSchema = z
  .object({
    signal: z.string().min(1).max(128),
    unit: z.string().max(32),
    value: finite,
    baseline: finite,
    spread: finite,
    /** value − baseline, in the signal's unit. */
    deviation: finite,
    /** Signed deviation in learned standard deviations. */
    z: finite,
    /** value / baseline, or null when the baseline is ~0. */
    ratio: finite.nullable(),
  })
  .strict();

export const alertSchema = z
  .object({
    v: z.literal(1),
    /** Id of this message (one lifecycle transition); identical on every retry, so consumers can de-duplicate. */
    id: z.string().min(1).max(128),
    /** Id of the alert episode: the same for its open, updates and resolution. */
    alertId: z.string().min(1).max(96),
    /** 0 for the open, then 1, 2, ... for each update and the resolution of the same episode. */
    seq: z.number().int().min(0),
    asset: z.string().min(1).max(128),
    site: z.string().min(1).max(128),
    state: z.enum(['open', 'update', 'resolved']),
    severity: z.enum(['info', 'warning', 'critical']),
    /** ISO 8601 times: first anomalous sample, latest anomalous sample, and this send attempt. */
    firstSeen: z.iso.datetime(),
    lastSeen: z.iso.datetime(),
    sent: z.iso.datetime(),
    /** Peak anomaly score of the episode and the threshold it was judged against. */
    score: finite,
    threshold: finite,
    evidence: z.array(alertEvidenceSchema).max(64),
    diagnosis: z
      .object({
        pattern: z.enum(PATTERNS),
        signals: z.array(z.string().max(128)).max(64),
        confidence: z.number().min(0).max(1),
        /** What made the score (agent/types.ts Driver; docs/detection.md, "Evidence"); absent from older agents. */
        driver: z
          .object({
            kind: z.enum(DRIVERS),
            signal: z.string().max(128).optional(),
            feature: z.enum(['value', 'level', 'spread', 'slope']).optional(),
            partners: z.array(z.string().max(128)).max(8).optional(),
            expected: finite.optional(),
            z: finite.optional(),
          })
          .strict()
          .optional(),
      })
      .strict(),
    summary: z
      .object({
        text: z.string().max(2000),
        source: z.enum(['lm', 'template']),
        model: z.string().max(128),
        /** Optional "what to check" sentence from the playbook (additive: v1 consumers may ignore it). */
        check: z
          .object({ text: z.string().max(500), items: z.array(z.string().max(60)).max(3) })
          .strict()
          .optional(),
      })
      .strict(),
    agentId: z.string().min(1).max(128),
    agentVersion: z.string().min(1).max(64),
    /** True when this message is sent late: after an uplink outage or an agent restart. */
    replayed: z.boolean(),
    /**
     * True when, as this message was sent, the agent held it only in memory: its state dir refused
     * writes (disk full, read-only). Absent otherwise. A restart before the disk recovers loses such alerts.
     */
    volatile: z.literal(true).optional(),
    /**
     * Present when the asset went silent: on a resolution, the alert was closed as stale (nobody knows whether the
     * fault is still there); on an update, it is flagged stale and stays open (alerts.onSilence).
     */
    stale: z
      .object({
        reason: z.enum(['asset_silent', 'node_death']),
        lastSeen: z.iso.datetime(),
        silentS: z.number().min(0),
      })
      .strict()
      .optional(),
  })
  .strict();

export type Alert = z.infer<typeof alertSchema>;
export type AlertEvidence = z.infer<typeof alertEvidenceSchema>;
/** An alert as stored in the outbox: the send-time fields are filled in at each attempt. */
export type StoredAlert = Omit<Alert, 'sent' | 'replayed' | 'volatile'>;

/** JSON Schema (draft 2020-12) of the v1 alert, printed by `edge-sentinel schema --alert`. */
export function alertJsonSchema(): object {
  const schema = z.toJSONSchema(alertSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    $id: 'https://edge-sentinel.dev/schema/alert-v1.json',
    title: 'edge-sentinel alert v1',
    ...schema,
  };
}
