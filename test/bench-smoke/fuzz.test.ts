/**
 * bench:fuzz end to end on a small scale (10k generated payloads, 500 through Mosquitto, a 3,000-topic
 * cardinality attack against assets.maxAssets 1000). Not a timed test: it checks the JSON contract, that
 * nothing crashed and the agent still decides, that each kind of hostile input was rejected with a reason,
 * and that the agent's maps and /metrics label sets stayed within the configured bounds.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '../..');

describe('bench:fuzz --json (small)', () => {
  it('survives hostile payloads with every rejection counted by reason, within the configured bounds', { timeout: 240_000 }, () => {
    const args = ['--json', '--cases', '10000', '--mqtt', '500', '--cardinality', '3000', '--max-assets', '1000'];
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'test/bench/fuzz.ts'), ...args], {
      cwd: repo,
      encoding: 'utf8',
      timeout: 230_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      cases: number;
      crashes: number;
      rejects: Record<string, number>;
      rssMbMax: number;
      aliveAfter: boolean;
      mqtt: { toSubscribedTopics: number; received: number };
      cardinality: Record<string, number>;
    };
    expect(j.cases).toBe(10_000 + 500 + 2 * 3000);
    expect(j.crashes).toBe(0);
    expect(j.aliveAfter).toBe(true);
    expect(j.rssMbMax).toBeGreaterThan(0);
    for (const k of ['decode:bad_json', 'decode:not_a_number', 'decode:bad_protobuf', 'window:future', 'sparkplug:no_birth', 'unmapped'])
      expect(j.rejects[k], k).toBeGreaterThan(0);
    expect(j.rejects['decode:internal'], 'a decoder threw something other than a DecodeError').toBeUndefined();
    expect(j.mqtt.received).toBeGreaterThanOrEqual(j.mqtt.toSubscribedTopics);
    const c = j.cardinality;
    expect(c['assetsTracked']).toBe(1000);
    expect(c['assetLabelsInMetrics']).toBeLessThanOrEqual(1000);
    expect(c['signalsOfWideAsset']).toBe(c['maxSignals']);
    expect(c['assetLimitRejected']).toBeGreaterThanOrEqual(2000);
    expect(c['signalLimitRejected']).toBe(3000 - c['maxSignals']!);
  });
});
