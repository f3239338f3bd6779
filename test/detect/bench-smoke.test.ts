/**
 * The dataset benches' --json contract, on data inside the repository so it
 * runs on a bare clone: the three NAB files of test/fixtures/nab and two
 * synthetic files in SKAB's format (the real datasets are measured by the
 * benches themselves, not here).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSyntheticSkab } from '../fixtures/skab-synth.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const lastJson = (out: string): Record<string, unknown> => JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;

const tmp = mkdtempSync(path.join(tmpdir(), 'es-bench-smoke-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('bench smoke (2 files each, in-repo NAB files and synthetic SKAB-format files)', () => {
  it('bench:nab --json prints the contract fields as numbers', async () => {
    const { stdout } = await run(tsx, ['test/bench/nab.ts', '--json', '--limit', '2', '--data', 'test/fixtures/nab'], {
      cwd: root,
    });
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
    const skab = writeSyntheticSkab(path.join(tmp, 'skab'), 2, 600);
    const { stdout } = await run(tsx, ['test/bench/skab.ts', '--json', '--limit', '2', '--data', skab.root], { cwd: root });
    const o = lastJson(stdout);
    for (const k of ['f1', 'far', 'mar', 'nabStandard', 'files', 'samples', 'seconds', 'p99MicrosPerSample'])
      expect(typeof o[k], k).toBe('number');
    expect(o['files']).toBe(2);
    expect(o['f1'] as number).toBeGreaterThan(0);
  }, 60_000);

  it('an unknown or malformed flag stops the bench with exit code 2 and the flag list', async () => {
    for (const argv of [
      ['--json', '--limt', '2'],
      ['--limit', 'two'],
    ]) {
      const err = (await run(tsx, ['test/bench/nab.ts', ...argv], { cwd: root }).then(
        () => null,
        (e: unknown) => e,
      )) as { code?: number; stderr?: string } | null;
      expect(err, argv.join(' ')).not.toBeNull();
      expect(err?.stderr).toMatch(argv[1] === '--limt' ? /unknown flag --limt/ : /--limit wants a number, got "two"/);
      expect(err?.stderr).toContain('--data VALUE');
    }
  }, 60_000);

  it('bench:skab --cv adds the cross-validation block, one fold per file (the anomaly-free one included)', async () => {
    const skab = writeSyntheticSkab(path.join(tmp, 'skab-cv'), 2, 600);
    const { stdout } = await run(tsx, ['test/bench/skab.ts', '--json', '--cv', '--data', skab.root], { cwd: root });
    const o = lastJson(stdout);
    const cv = o['cv'] as Record<string, unknown>;
    for (const k of ['folds', 'meanF1', 'meanFar', 'meanMar', 'worstF1', 'worstFar']) expect(typeof cv[k], k).toBe('number');
    expect(cv['folds']).toBe(3);
    expect((cv['perFold'] as Array<{ file: string }>).map((p) => p.file)).toEqual([...skab.keys, 'anomaly-free/anomaly-free.csv']);
    expect(typeof o['anomalyFreeFar']).toBe('number');
  }, 120_000);

  it('bench:nab --cv holds out one folder at a time', async () => {
    const { stdout } = await run(tsx, ['test/bench/nab.ts', '--json', '--cv', '--data', 'test/fixtures/nab'], { cwd: root });
    const cv = lastJson(stdout)['cv'] as { folds: number; perFold: Array<{ folder: string; threshold: number }> };
    expect(cv.folds).toBe(3);
    expect(cv.perFold.map((p) => p.folder).sort()).toEqual(['realAWSCloudwatch', 'realAdExchange', 'realKnownCause']);
    for (const p of cv.perFold) expect(p.threshold).toBeGreaterThan(0);
  }, 120_000);
});
