/**
 * Ed25519 keys for signed remote management, with node:crypto only. The
 * private key stays with whoever signs (PKCS#8 PEM, mode 0600); agents hold
 * only the raw 32-byte public key in base64 (`fleet.trustedKeys`).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { EdgeError } from '../errors.js';

/** A fresh key pair: the private key as PKCS#8 PEM, the public key as raw base64. */
export function generateSigningKey(): { privatePem: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey: rawPublicKey(publicKey) };
}

/** The raw 32-byte public key in base64 (the JWK `x`, which is base64url). */
export function rawPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new EdgeError('E_CONFIG', `not an Ed25519 key (got ${String(jwk.crv)})`);
  return Buffer.from(jwk.x, 'base64url').toString('base64');
}

/** A verifying key from `fleet.trustedKeys[].publicKey`. */
export function publicKeyFromBase64(b64: string): KeyObject {
  const raw = Buffer.from(b64, 'base64');
  if (raw.length !== 32) throw new EdgeError('E_CONFIG', `an Ed25519 public key is 32 bytes (got ${raw.length})`);
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

/** Reads a PKCS#8 PEM private key written by `edge-sentinel keygen`. */
export function readPrivateKey(file: string): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new EdgeError('E_CONFIG_FILE', `cannot read private key ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new EdgeError('E_CONFIG_FILE', `${file} is not a PEM private key: ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new EdgeError('E_CONFIG_FILE', `${file} is a ${String(key.asymmetricKeyType)} key; bundles are signed with Ed25519`);
  }
  return key;
}
