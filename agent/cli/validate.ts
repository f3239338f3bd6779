import { ConfigError, loadConfigFile } from '../config/load.js';
import { EdgeError } from '../errors.js';

/** `edge-sentinel validate FILE`: 0 when valid; 2 with every problem as `path: message (got VALUE)`. */
export function validateCommand(argv: string[]): number {
  const file = argv[0];
  if (!file) throw new EdgeError('E_USAGE', 'validate needs a FILE');
  try {
    loadConfigFile(file);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${file}: invalid\n`);
      for (const p of err.problems) process.stdout.write(`${p}\n`);
      return 2;
    }
    throw err;
  }
  process.stdout.write(`${file}: valid\n`);
  return 0;
}
