/**
 * Signed bundles: the envelope that carries a config or a model to an agent.
 *
 *   envelope = { v: 1, keyId, payload: base64(JSON bytes), sig: base64(Ed25519(DOMAIN + payload bytes)) }
 *
 * The signature covers the exact payload bytes (no canonical JSON to get
 * wrong), prefixed with a domain string so a signature made for something
 * else with the same key can never pass as a bundle. The payload names its
 * target (site and agent) and a version, so a bundle cannot be replayed on
 * another agent or rolled back to an older one (versions only increase).
 */
import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { EdgeError } from '../errors.js';
import type { TrustedKey } from '../config/sections/fleet.js';
import { publicKeyFromBase64 } from './keys.js';

export const BUNDLE_KINDS = ['config', 'model'] as const;
export type BundleKind = (typeof BUNDLE_KINDS)[number];

const DOMAIN = Buffer.from('edge-sentinel-bundle-v1\n');

/**
 * Why a command was refused: stable keys for the result topic, the audit
 * log and tests (never branch on message text).
 */
export type RefusalReason =
  | 'too-large'
  | 'malformed'
  | 'unsigned'
  | 'unknown-key'
  | 'bad-signature'
  | 'wrong-target'
  | 'wrong-kind'
  | 'replay'
  | 'invalid-config'
  | 'invalid-model'
  | 'apply-failed';

/** A refused command; `reason` is the stable key. */
export class BundleError extends EdgeError {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super('E_BUNDLE', message);
    this.name = 'BundleError';
  }
}

const b64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');

export const envelopeSchema = z
  .object({
    v: z.literal(1),
    keyId: z.string().min(1).max(64),
    payload: b64.min(4),
    sig: b64.min(4),
  })
  .strict();

const header = {
  v: z.literal(1),
  site: z.string().min(1).max(128),
  agent: z.string().min(1).max(128),
  /** Strictly increasing per agent and kind; the agent persists the highest it accepted. */
  version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  issuedAt: z.iso.datetime(),
};

export const payloadSchema = z.discriminatedUnion('kind', [
  z.object({ ...header, kind: z.literal('config'), config: z.record(z.string(), z.unknown()) }).strict(),
  z
    .object({
      ...header,
      kind: z.literal('model'),
      model: z.object({ card: z.record(z.string(), z.unknown()), onnx: b64.min(4) }).strict(),
    })
    .strict(),
]);

export type BundlePayload = z.infer<typeof payloadSchema>;
export type Envelope = z.infer<typeof envelopeSchema>;

/** A verified bundle: what was signed, by whom, and the digest of the signed bytes (audit, duplicate detection). */
export interface VerifiedBundle {
  payload: BundlePayload;
  keyId: string;
  sha256: string;
}

/** Sign a payload with an Ed25519 private key; returns the envelope as JSON text. */
export function signBundle(payload: BundlePayload, key: KeyObject, keyId: string): string {
  const bytes = Buffer.from(JSON.stringify(payloadSchema.parse(payload)));
  const sig = sign(null, Buffer.concat([DOMAIN, bytes]), key);
  const env: Envelope = { v: 1, keyId, payload: bytes.toString('base64'), sig: sig.toString('base64') };
  return JSON.stringify(env);
}

/** What a verified bundle must be addressed to. */
export interface BundleTarget {
  site: string;
  agent: string;
  kind: BundleKind;
}

/**
 * Check an incoming message: size, envelope, trusted key, signature, then
 * the payload's shape and target. Throws BundleError; the order matters —
 * nothing of the payload is parsed before its signature holds.
 */
export function verifyBundle(msg: Buffer, trusted: readonly TrustedKey[], target: BundleTarget, maxBytes: number): VerifiedBundle {
  if (msg.length > maxBytes) throw new BundleError('too-large', `bundle is ${msg.length} bytes; fleet.maxBundleBytes is ${maxBytes}`);
  let raw: unknown;
  try {
    raw = JSON.parse(msg.toString('utf8'));
  } catch (err) {
    throw new BundleError('malformed', `bundle is not JSON: ${(err as Error).message}`);
  }
  const isObj = raw !== null && typeof raw === 'object' && !Array.isArray(raw);
  if (!isObj || !('sig' in (raw as object)) || !('payload' in (raw as object))) {
    throw new BundleError('unsigned', 'message is not a signed bundle (no payload/sig envelope); sign it with `edge-sentinel sign`');
  }
  const env = envelopeSchema.safeParse(raw);
  if (!env.success) throw new BundleError('malformed', `bad envelope: ${issueText(env.error)}`);
  const key = trusted.find((k) => k.id === env.data.keyId);
  if (!key) throw new BundleError('unknown-key', `key ${JSON.stringify(env.data.keyId)} is not in fleet.trustedKeys`);
  const bytes = Buffer.from(env.data.payload, 'base64');
  const sig = Buffer.from(env.data.sig, 'base64');
  let ok = false;
  try {
    ok = sig.length === 64 && verify(null, Buffer.concat([DOMAIN, bytes]), publicKeyFromBase64(key.publicKey), sig);
  } catch (err) {
    throw new BundleError('bad-signature', `signature check failed: ${(err as Error).message}`);
  }
  if (!ok) throw new BundleError('bad-signature', `signature does not verify with key ${JSON.stringify(key.id)}`);
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new BundleError('malformed', `signed payload is not JSON: ${(err as Error).message}`);
  }
  const p = payloadSchema.safeParse(body);
  if (!p.success) throw new BundleError('malformed', `bad payload: ${issueText(p.error)}`);
  const payload = p.data;
  if (payload.kind !== target.kind) throw new BundleError('wrong-kind', `a ${payload.kind} bundle arrived on the ${target.kind} topic`);
  if (payload.site !== target.site || payload.agent !== target.agent) {
    throw new BundleError('wrong-target', `bundle is for ${payload.site}/${payload.agent}, this agent is ${target.site}/${target.agent}`);
  }
  return { payload, keyId: key.id, sha256: createHash('sha256').update(bytes).digest('hex') };
}

function issueText(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
