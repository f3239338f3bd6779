import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const lastJson = (out: string): Record<string, unknown> => JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;

describe('bench smoke (2 files each, real data from ../shared/datasets)', () => {
  it('bench:nab --json prints the contract fields as numbers', async () => {
    const { stdout } = await run(tsx, ['test/bench/nab.ts', '--json', '--limit', '2'], { cwd: root });
    const o = lastJson(stdout);
    for (const k of [
      'standard',
      'reward_low_FP_rate',
      'reward_low_FN_rate',
      'agentStandard',
      'files',
      'windows',
      'samples',
      'seconds',
      'samplesPerSecond',
      'p99MicrosPerSample',
    ])
      expect(typeof o[k], k).toBe('number');
    expect(o['files']).toBe(2);
    expect(typeof o['cpu']).toBe('string');
    expect(typeof o['node']).toBe('string');
  }, 60_000);

  it('bench:skab --json prints the contract fields as numbers', async () => {
    const { stdout } = await run(tsx, ['test/bench/skab.ts', '--json', '--limit', '2'], { cwd: root });
    const o = lastJson(stdout);
    for (const k of ['f1', 'far', 'mar', 'nabStandard', 'files', 'samples', 'seconds', 'p99MicrosPerSample'])
      expect(typeof o[k], k).toBe('number');
    expect(o['files']).toBe(2);
    expect(o['f1'] as number).toBeGreaterThan(0);
  }, 60_000);
});
