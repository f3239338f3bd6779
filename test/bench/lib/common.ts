/**
 * Shared bits of the detection benches: dataset arguments, machine facts for
 * the JSON line, rounding.
 */
import { cpus } from 'node:os';
import path from 'node:path';
import { resolveDatasetsDir } from '../../../agent/eval/csv.js';
import { parseBenchArgs, type BenchFlags } from './args.js';

/** Parsed bench arguments: `--data DIR`, `--json`, `--limit N` (first N files, for smoke tests), `--files a,b` (keys containing these). */
export interface BenchArgs {
  data: string;
  json: boolean;
  limit: number;
  files: string[];
  /** Nested cross-validation over the candidate grid (agent/eval/cv.ts). */
  cv: boolean;
}

/** Flags of the dataset benches (bench:nab, bench:skab). */
export const DATASET_BENCH_FLAGS = {
  data: { type: 'string', help: 'dataset folder (default $ES_DATASETS/<name>, else ../shared/datasets/<name>)' },
  json: { type: 'boolean', help: 'last stdout line is one JSON object' },
  limit: { type: 'string', help: 'only the first N files (smoke tests)' },
  files: { type: 'string', help: 'only files whose key contains one of these (comma-separated)' },
  cv: { type: 'boolean', help: 'nested leave-one-group-out cross-validation over the candidate grid (test/bench/lib/grid.ts)' },
} as const satisfies BenchFlags;

/** Reads a dataset bench's argv (unknown flags are an error); `sub` is the dataset folder under the datasets root. */
export function benchArgs(argv: string[], sub: string): BenchArgs {
  const a = parseBenchArgs(`bench:${sub}`, argv, DATASET_BENCH_FLAGS);
  const repo = path.resolve(import.meta.dirname, '../../..');
  const data = a.str('data', path.join(resolveDatasetsDir(repo), sub));
  const files = a
    .str('files', '')
    .split(',')
    .filter((f) => f !== '');
  return {
    data: path.resolve(data),
    json: a.flag('json'),
    limit: a.num('limit', Infinity, { min: 1, integer: true }),
    files,
    cv: a.flag('cv'),
  };
}

/** CPU model and Node version, reported with every timing. */
export function machine(): { cpu: string; node: string } {
  return { cpu: cpus()[0]?.model.trim() ?? 'unknown', node: process.version };
}

export const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;
