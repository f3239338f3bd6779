/**
 * bench:fleet end to end on a tiny fleet (two sites, a short burst, a
 * 3-second bridge cut, a 2-second flood). Not a timed test: it checks the
 * JSON contract and the delivery properties that hold on any machine —
 * nothing lost, per-asset order kept, every decided alert accounted for.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '../..');

function runBench(args: string[], ms: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(repo, 'test/bench/fleet.ts'), ...args], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const t = setTimeout(() => {
      p.kill('SIGTERM');
      reject(new Error(`bench:fleet did not finish within ${ms} ms:\n${stderr}`));
    }, ms);
    p.on('error', reject);
    p.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('bench:fleet --json (2 sites, 3 s cut)', () => {
  it('delivers every decided alert across bridged Mosquittos, per-asset order kept, and prints the contract fields', async () => {
    const args = [
      '--json',
      '--agents',
      '2',
      '--assets',
      '2',
      '--learn',
      '40',
      '--burst-s',
      '10',
      '--cut-s',
      '3',
      '--flood-s',
      '2',
      '--drain-s',
      '60',
    ];
    const { code, stdout, stderr } = await runBench(args, 280_000);
    expect(code, stderr).toBe(0);
    const r = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    for (const k of ['agents', 'alerts', 'lost', 'outOfOrder', 'p99DeliveryMs', 'centralBrokerCpu']) expect(typeof r[k], k).toBe('number');
    expect(r['agents']).toBe(2);
    expect(r['alerts'] as number).toBeGreaterThan(0);
    expect(r['lost']).toBe(0);
    expect(r['outOfOrderPerAsset']).toBe(0);
    expect(r['delivered'] as number).toBeGreaterThanOrEqual(r['alerts'] as number);
    expect(r['floodReceived']).toBe(r['floodSent']);
  }, 300_000);
});
