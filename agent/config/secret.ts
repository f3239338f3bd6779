import { readFileSync } from 'node:fs';
import { EdgeError } from '../errors.js';

/** Reads a secret from `value` or from `file` (trimmed), for broker passwords. */
export function resolveSecret(value: string | undefined, file: string | undefined): string | undefined {
  if (value !== undefined) return value;
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new EdgeError('E_CONFIG_FILE', `cannot read secret file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}
