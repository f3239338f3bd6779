import { createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  BundleError,
  signBundle,
  verifyBundle,
  type BundlePayload,
  type BundleTarget,
  type RefusalReason,
} from '../../agent/fleet/bundle.js';
import { generateSigningKey } from '../../agent/fleet/keys.js';

const ops = generateSigningKey();
const other = generateSigningKey();
const trusted = [{ id: 'ops', publicKey: ops.publicKey }];
const target: BundleTarget = { site: 'plantA', agent: 'gw-1', kind: 'config' };
const payload: BundlePayload = {
  v: 1,
  kind: 'config',
  site: 'plantA',
  agent: 'gw-1',
  version: 3,
  issuedAt: '2026-11-30T10:00:00.000Z',
  config: { alerts: { openAfter: 5 } },
};
const signed = (p: BundlePayload = payload, key = ops.privatePem, id = 'ops') => Buffer.from(signBundle(p, createPrivateKey(key), id));

function refusal(msg: Buffer, keys = trusted, t = target, max = 1 << 20): RefusalReason | 'accepted' {
  try {
    verifyBundle(msg, keys, t, max);
    return 'accepted';
  } catch (err) {
    if (err instanceof BundleError) return err.reason;
    throw err;
  }
}

describe('signed bundles', () => {
  it('verifies a bundle signed by a trusted key and returns what was signed, by whom, and its digest', () => {
    const v = verifyBundle(signed(), trusted, target, 1 << 20);
    expect(v.payload).toEqual(payload);
    expect(v.keyId).toBe('ops');
    expect(v.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses an unsigned config, a tampered payload, a forged signature and an unknown key', () => {
    expect(refusal(Buffer.from(JSON.stringify({ alerts: { openAfter: 1 } })))).toBe('unsigned');
    const env = JSON.parse(signed().toString()) as Record<string, string>;
    const tampered = {
      ...env,
      payload: Buffer.from(JSON.stringify({ ...payload, config: { alerts: { openAfter: 1 } } })).toString('base64'),
    };
    expect(refusal(Buffer.from(JSON.stringify(tampered)))).toBe('bad-signature');
    // Signed by a key that claims the trusted id.
    expect(refusal(signed(payload, other.privatePem, 'ops'))).toBe('bad-signature');
    expect(refusal(signed(payload, other.privatePem, 'mallory'))).toBe('unknown-key');
    const { sig: _s, ...noSig } = env;
    expect(refusal(Buffer.from(JSON.stringify(noSig)))).toBe('unsigned');
  });

  it('refuses bundles for another agent or site, of the other kind, malformed or too large', () => {
    expect(refusal(signed(), trusted, { ...target, agent: 'gw-2' })).toBe('wrong-target');
    expect(refusal(signed(), trusted, { ...target, site: 'plantB' })).toBe('wrong-target');
    expect(refusal(signed(), trusted, { ...target, kind: 'model' })).toBe('wrong-kind');
    expect(refusal(Buffer.from('{not json'))).toBe('malformed');
    expect(refusal(Buffer.from(JSON.stringify({ v: 2, keyId: 'ops', payload: 'AAAA', sig: 'AAAA' })))).toBe('malformed');
    expect(refusal(signed(), trusted, target, 100)).toBe('too-large');
  });

  it('accepts either key while two are trusted (rotation), and only the new one after the old is removed', () => {
    const both = [...trusted, { id: 'ops-next', publicKey: other.publicKey }];
    expect(refusal(signed(), both)).toBe('accepted');
    expect(refusal(signed(payload, other.privatePem, 'ops-next'), both)).toBe('accepted');
    const rotated = [{ id: 'ops-next', publicKey: other.publicKey }];
    expect(refusal(signed(), rotated)).toBe('unknown-key');
  });
});
