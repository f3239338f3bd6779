/**
 * `npm run docs:config`: writes the generated configuration reference into
 * docs/configuration.md (between its markers) from the zod schema.
 * `npm run docs:config -- --check` exits 1 when the file is not current (the
 * test suite runs the same check, so CI fails on a stale reference).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { configReference, spliceReference, undocumentedKeys } from '../agent/config/reference.js';
import { args } from '../agent/cli/args.js';

const FILE = path.resolve(import.meta.dirname, '../docs/configuration.md');
const { values } = args(process.argv.slice(2), { check: { type: 'boolean', default: false } });
const missing = undocumentedKeys();
if (missing.length) {
  process.stderr.write(`config keys without a description (add .describe() in agent/config/sections/): ${missing.join(', ')}\n`);
  process.exit(1);
}
const before = readFileSync(FILE, 'utf8');
const after = spliceReference(before, configReference());
if (values.check) {
  if (before !== after) {
    process.stderr.write(`${FILE} is not current: run npm run docs:config\n`);
    process.exit(1);
  }
  process.stdout.write(`${FILE} is current\n`);
} else if (before !== after) {
  writeFileSync(FILE, after);
  process.stdout.write(`wrote the configuration reference into ${FILE}\n`);
} else {
  process.stdout.write(`${FILE} was already current\n`);
}
