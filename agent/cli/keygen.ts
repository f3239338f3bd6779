import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EdgeError } from '../errors.js';
import { generateSigningKey } from '../fleet/keys.js';
import { args } from './args.js';

/**
 * `edge-sentinel keygen --id NAME [--out DIR]`: a new Ed25519 signing key.
 * Writes NAME.key (private, PKCS#8 PEM, mode 0600: keep it off the gateways)
 * and NAME.pub, and prints the `fleet.trustedKeys` entry for agent configs.
 */
export function keygenCommand(argv: string[]): number {
  const { values } = args(argv, { id: { type: 'string' }, out: { type: 'string', default: '.' } });
  const id = values.id;
  if (!id || !/^[A-Za-z0-9_.-]{1,64}$/.test(id))
    throw new EdgeError('E_USAGE', `keygen: --id NAME is required (letters, digits, _ . -; got ${JSON.stringify(id)})`);
  const dir = resolve(values.out);
  mkdirSync(dir, { recursive: true });
  const keyFile = join(dir, `${id}.key`);
  const pubFile = join(dir, `${id}.pub`);
  // Never overwrite a key: agents may already trust its public half.
  for (const f of [keyFile, pubFile])
    if (existsSync(f)) throw new EdgeError('E_USAGE', `keygen: ${f} exists; choose another --id or --out`);
  const { privatePem, publicKey } = generateSigningKey();
  writeFileSync(keyFile, privatePem, { mode: 0o600, flag: 'wx' });
  writeFileSync(pubFile, `${publicKey}\n`, { mode: 0o644, flag: 'wx' });
  process.stdout.write(
    `private key: ${keyFile} (keep it secret, off the gateways)\npublic key:  ${pubFile}\n\nadd to each agent's config:\n\nfleet:\n  trustedKeys:\n    - id: ${id}\n      publicKey: ${publicKey}\n`,
  );
  return 0;
}
