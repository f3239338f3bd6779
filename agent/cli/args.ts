import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EdgeError } from '../errors.js';

/** parseArgs with usage errors as EdgeError E_USAGE (exit 2). */
export function args<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, positionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: positionals, strict: true });
  } catch (err) {
    throw new EdgeError('E_USAGE', (err as Error).message);
  }
}
