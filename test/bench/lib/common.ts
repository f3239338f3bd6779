/**
 * Shared bits of the detection benches: argument parsing, machine facts for
 * the JSON line, rounding.
 */
import { cpus } from 'node:os';
import path from 'node:path';
import { resolveDatasetsDir } from '../../../agent/eval/csv.js';

/** Parsed bench arguments: `--data DIR`, `--json`, `--limit N` (first N files, for smoke tests). */
export interface BenchArgs {
  data: string;
  json: boolean;
  limit: number;
  files: string[];
}

/** Reads the bench's argv; `sub` is the dataset folder under ../shared/datasets. */
export function benchArgs(argv: string[], sub: string): BenchArgs {
  const opt = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const repo = path.resolve(import.meta.dirname, '../../..');
  const data = opt('--data') ?? path.join(resolveDatasetsDir(repo), sub);
  const limit = Number(opt('--limit') ?? Infinity);
  const files = (opt('--files') ?? '').split(',').filter((f) => f !== '');
  return { data: path.resolve(data), json: argv.includes('--json'), limit, files };
}

/** CPU model and Node version, reported with every timing. */
export function machine(): { cpu: string; node: string } {
  return { cpu: cpus()[0]?.model.trim() ?? 'unknown', node: process.version };
}

export const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;
