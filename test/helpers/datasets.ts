/**
 * The benchmark datasets (NAB, SKAB) live outside the repository: `$ES_DATASETS`,
 * else `../shared/datasets` next to the repository root. On a bare clone they are
 * absent and the tests that need them skip, saying why; CI sets
 * ES_REQUIRE_DATASETS=1 so that a missing dataset fails the run instead of
 * quietly skipping the tests that prove the scorers right.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe } from 'vitest';
import { resolveDatasetsDir } from '../../agent/eval/csv.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** One dataset folder and whether it can be used. */
export interface Dataset {
  /** Absolute folder, e.g. /work/shared/datasets/nab. */
  dir: string;
  present: boolean;
  /** Why it is absent (empty when present). */
  reason: string;
}

/** Looks up `<datasets>/<sub>`; `probe` is a file inside it that the tests need (default: the folder itself). */
export function dataset(sub: string, probe = '.', env: NodeJS.ProcessEnv = process.env): Dataset {
  const dir = path.join(resolveDatasetsDir(ROOT, env), sub);
  const file = path.join(dir, probe);
  const present = existsSync(file);
  const where = env['ES_DATASETS'] ? 'ES_DATASETS' : 'the default ../shared/datasets (set ES_DATASETS to point elsewhere)';
  return { dir, present, reason: present ? '' : `${file} not found; looked in ${where}` };
}

/** True when a missing dataset must fail the run (CI). */
export function datasetsRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['ES_REQUIRE_DATASETS'] === '1';
}

/**
 * `describe` for tests that need a dataset: runs them when it is present;
 * otherwise skips them with the reason in the suite name and on stderr, or,
 * under ES_REQUIRE_DATASETS=1, throws so the file fails with the reason.
 */
export function describeWithDataset(ds: Dataset, name: string, body: () => void): void {
  if (ds.present) {
    describe(name, body);
    return;
  }
  if (datasetsRequired()) throw new Error(`ES_REQUIRE_DATASETS=1 but the dataset is missing: ${ds.reason}`);
  process.stderr.write(`skipping "${name}": ${ds.reason}\n`);
  describe.skip(`${name} (skipped: ${ds.reason})`, body);
}
