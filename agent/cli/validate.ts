import { ConfigError, loadConfigFile } from '../config/load.js';
import { EdgeError } from '../errors.js';

/**
 * `edge-sentinel validate FILE`: 0 when valid; 2 with every problem as
 * `path: message (got VALUE)`. Keys of earlier versions that were removed do
 * not make a file invalid: each is printed as a warning saying what replaced it.
 */
export function validateCommand(argv: string[]): number {
  const file = argv[0];
  if (!file) throw new EdgeError('E_USAGE', 'validate needs a FILE');
  const notes: string[] = [];
  try {
    loadConfigFile(file, process.env, notes);
  } catch (err) {
    for (const n of notes) process.stdout.write(`warning: ${n}\n`);
    if (err instanceof ConfigError) {
      process.stderr.write(`${file}: invalid\n`);
      for (const p of err.problems) process.stdout.write(`${p}\n`);
      return 2;
    }
    throw err;
  }
  for (const n of notes) process.stdout.write(`warning: ${n}\n`);
  process.stdout.write(`${file}: valid${notes.length ? ` (${notes.length} warning${notes.length > 1 ? 's' : ''})` : ''}\n`);
  return 0;
}
