/**
 * The perf bench runs end to end on a tiny load and emits its JSON object
 * with every field. Not a timed test: the figures are not asserted against
 * targets (that is the bench's job on a quiet machine), only their presence,
 * types and internal consistency.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '../..');

function runBench(args: string[], ms: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(repo, 'test/bench/perf.ts'), ...args], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const t = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`bench:perf did not finish within ${ms} ms:\n${stderr}`));
    }, ms);
    p.on('error', reject);
    p.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const numOrNull = (x: unknown): boolean => x === null || isNum(x);

describe('bench:perf --quick --json', () => {
  it('runs the agent and the Node-RED flow on a tiny load and prints one JSON object with every field', async () => {
    const { code, stdout, stderr } = await runBench(['--quick', '--json', '--step-s', '1', '--contend'], 170_000);
    expect(code, stderr).toBe(0);
    const last = stdout.trim().split('\n').pop()!;
    const r = JSON.parse(last) as Record<string, unknown>;
    for (const k of [
      'maxSamplesPerSecond',
      'maxKeptUpSamplesPerSecond',
      'p50Us',
      'p99Us',
      'p999Us',
      'deadlineMisses',
      'lost',
      'rssMb',
      'startupMs',
    ])
      expect(isNum(r[k]), `${k} = ${JSON.stringify(r[k])}`).toBe(true);
    // Issue #12's contract: the quick run steps 300 and 1000/s, so the 1k fields are numbers and the 10k ones null.
    for (const k of ['missesAt1k', 'cpuPerSampleUsAt1k', 'cpuRatioAt1k']) expect(isNum(r[k]), `${k} = ${JSON.stringify(r[k])}`).toBe(true);
    expect(r['cpuPerSampleUsAt1k'] as number).toBeGreaterThan(0);
    for (const k of ['missesAt10k', 'p999UsAt10k', 'rssMbAt10k', 'rssRatio', 'gcMinorPerSAt10k']) {
      expect(k in r, k).toBe(true);
      expect(numOrNull(r[k]), `${k} = ${JSON.stringify(r[k])}`).toBe(true);
    }
    const c = r['contended'] as Record<string, unknown>;
    expect(c).toMatchObject({ profile: 'x86-gateway', rate: 1000 });
    for (const k of ['missesAt10k', 'p99UsAt10k', 'nodeRedP99UsAt10k']) expect(isNum(c[k]), `contended.${k}`).toBe(true);
    expect(isNum((c['without'] as Record<string, unknown>)['missesAt10k'])).toBe(true);
    for (const k of ['rssMbWithLm', 'throughputRatio', 'p99Ratio', 'rssSlopeMbPerHour']) {
      expect(k in r, k).toBe(true);
      expect(numOrNull(r[k]), `${k} = ${JSON.stringify(r[k])}`).toBe(true);
    }
    expect(r['p50Us'] as number).toBeGreaterThan(0);
    expect(r['p50Us'] as number).toBeLessThanOrEqual(r['p99Us'] as number);
    expect(r['p99Us'] as number).toBeLessThanOrEqual(r['p999Us'] as number);
    expect(r['rssMb'] as number).toBeGreaterThan(20);
    expect(r['startupMs'] as number).toBeGreaterThan(0);
    expect(typeof r['cpu']).toBe('string');
    expect(r['node']).toBe(process.version);
    const nr = r['nodeRed'] as Record<string, unknown>;
    expect(isNum(nr['maxSamplesPerSecond']) && isNum(nr['p99Us']) && isNum(nr['rssMb']), JSON.stringify(nr)).toBe(true);
    expect(isNum(nr['cpuPerSampleUsAt1k'])).toBe(true);
    expect(nr['rssMb'] as number).toBeGreaterThan(20);
    const rates = r['rates'] as Array<Record<string, unknown>>;
    expect(rates.length).toBeGreaterThanOrEqual(2);
    for (const x of rates) {
      expect(x['published'] as number).toBeGreaterThan(0);
      for (const k of ['rate', 'lost', 'p50Us', 'p99Us', 'p999Us', 'maxUs', 'e2eP99Us', 'cpuPct', 'rssMb'])
        expect(isNum(x[k]), `rates[].${k}`).toBe(true);
      expect(typeof x['sustained']).toBe('boolean');
      expect(typeof x['keptUp']).toBe('boolean');
    }
    // Every published sample of a tiny load reaches the agent.
    expect(rates.reduce((n, x) => n + (x['lost'] as number), 0)).toBe(0);
  }, 180_000);

  it('stops with exit code 2 and the flag list on an unknown flag or a malformed value', async () => {
    const bad = await runBench(['--nice', 'abc'], 30_000);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--nice wants a number, got "abc"/);
    expect(bad.stderr).toMatch(/--contend/);
    const unknown = await runBench(['--contended'], 30_000);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown flag --contended/);
  }, 60_000);
});
