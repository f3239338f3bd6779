import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../agent/config/load.js';
import { Agent } from '../../agent/controller.js';
import { defaultExtensions } from '../../agent/extensions.js';
import { gauss, rng } from '../../agent/sim/random.js';
import type { Decision } from '../../agent/types.js';
import { memoryLogger } from '../helpers/log.js';
import { uniq, waitFor } from '../helpers/wait.js';

/**
 * End to end through the real Mosquitto at 127.0.0.1:1883: a publisher sends
 * a pump's telemetry (JSON with two signals per message, and a plain-number
 * topic), the agent learns, then a bearing fault is injected.
 */
describe('agent against Mosquitto', () => {
  const prefix = uniq('e2e');
  const { log, lines } = memoryLogger('info');
  const cfg = parseConfig({
    agent: { id: 'e2e-agent', site: 'testsite', stateDir: mkdtempSync(join(tmpdir(), 'es-e2e-')) },
    log: { rateLimitMs: 60_000 },
    plant: {
      broker: { url: 'mqtt://127.0.0.1:1883' },
      subscriptions: [
        {
          topic: `${prefix}/{asset}/telemetry`,
          decoder: 'json',
          json: { signals: { vibration: 'vib', temp: 'temp' }, timestampPath: 'ts' },
        },
        { topic: `${prefix}/{asset}/num/{signal}`, decoder: 'number' },
      ],
    },
    assets: { defaults: { learnSamples: 200, deadlineMs: 50 }, units: { vibration: 'mm/s', temp: '°C' } },
    alerts: { openAfter: 3, resolveAfter: 10 },
    observe: { http: { port: 0, token: 'e2e-refit-token-0123' } },
  });
  const agent = new Agent(cfg, log, defaultExtensions());
  const decisions: Decision[] = [];
  const alerts: Array<{ state: string; text: string; pattern: string }> = [];
  const pub = mqtt.connect('mqtt://127.0.0.1:1883', { protocolVersion: 5 });

  beforeAll(async () => {
    agent.bus.on('decision', (d) => decisions.push(d));
    agent.bus.on('alert', (a) => alerts.push({ state: a.state, text: a.payload.summary.text, pattern: a.payload.diagnosis.pattern }));
    await agent.start();
    if (!pub.connected) await new Promise<void>((r) => pub.once('connect', () => r()));
  });
  afterAll(async () => {
    await pub.endAsync();
    await agent.stop();
  });

  it('learns, detects an injected bearing fault with evidence, and opens an alert', async () => {
    const u = rng(11);
    let ts = Date.parse('2026-11-28T08:00:00Z');
    const send = async (n: number, vibExtra: (i: number) => number) => {
      for (let i = 0; i < n; i++) {
        ts += 1000;
        pub.publish(
          `${prefix}/pump-1/telemetry`,
          JSON.stringify({ ts, vib: 2.5 + 0.05 * gauss(u) + vibExtra(i), temp: 55 + 0.2 * gauss(u) }),
        );
        if (i % 20 === 19) await new Promise((r) => setTimeout(r, 5)); // let the agent keep up, as a real plant paces itself
      }
    };
    await send(210, () => 0); // 210 scans (one message of two signals each): learning (200) then a few detecting
    await waitFor(() => agent.pipeline.phases()[0]?.phase === 'detecting', 10_000, 'learning to finish');
    await send(110, () => 0);
    await waitFor(() => decisions.filter((d) => d.phase === 'detecting').length >= 100, 10_000, 'normal decisions');
    const normal = decisions.filter((d) => d.phase === 'detecting');
    expect(normal.filter((d) => d.anomalous).length / normal.length).toBeLessThan(0.05);
    await send(30, (i) => 2 + 0.1 * i); // vibration jumps to ~4.5..7.5 mm/s
    await waitFor(() => alerts.some((a) => a.state === 'open'), 10_000, 'an alert to open');
    const det = decisions.find((d) => d.anomalous && d.diagnosis?.signals[0] === 'vibration');
    expect(det).toBeDefined();
    const ev = det!.evidence!.find((e) => e.signal === 'vibration')!;
    expect(ev.baseline).toBeGreaterThan(2.3);
    expect(ev.baseline).toBeLessThan(2.7);
    expect(ev.value).toBeGreaterThan(4);
    expect(ev.z).toBeGreaterThan(10);
    expect(['level_shift', 'spike', 'drift']).toContain(det!.diagnosis!.pattern);
    // Timing: scan close → decision measured for every scan, within the deadline or counted as a miss.
    expect(det!.latencyUs).toBeGreaterThan(0);
    expect(det!.latencyUs < 50_000 || det!.deadlineMissed).toBe(true);
    expect(agent.stats.latency.count).toBe(agent.stats.decisions);
    expect(alerts.find((a) => a.state === 'open')!.text).toMatch(/pump-1.*vibration/i);
  });

  it('counts malformed payloads and logs them rate-limited, without stopping', async () => {
    const before = agent.stats.decodeErrors;
    for (let i = 0; i < 5; i++) pub.publish(`${prefix}/pump-1/telemetry`, '{not json');
    pub.publish(`${prefix}/pump-1/num/temp`, 'NaN-ish');
    await waitFor(() => agent.stats.decodeErrors >= before + 6, 5000, 'decode errors to be counted');
    const logged = lines.filter((l) => l['msg'] === 'payload dropped: decode failed');
    expect(logged.map((l) => l['reason'])).toEqual(['bad_json', 'not_a_number']); // one line per reason, the rest counted
    expect(logged[0]!['topic']).toBe(`${prefix}/pump-1/telemetry`);
  });

  it('serves the latency histogram and per-asset state on /metrics and /healthz', async () => {
    const text = await (await fetch(`http://127.0.0.1:${agent.httpPort}/metrics`)).text();
    expect(text).toMatch(/edge_sentinel_decision_latency_us_bucket\{le="1000"\} \d+/);
    expect(text).toMatch(/edge_sentinel_decision_latency_us_count [1-9]\d*/);
    expect(text).toMatch(/edge_sentinel_decision_latency_quantile_us\{quantile="0.99"\} [\d.]+/);
    expect(text).toMatch(/edge_sentinel_scan_latency_us_count [1-9]\d*/);
    // One message of two signals is one scan: closed complete (the first one, which brought the signals, by its end).
    expect(text).toMatch(/edge_sentinel_scans_total\{close="complete"\} [1-9]\d*/);
    expect(text).toMatch(/edge_sentinel_scans_total\{close="message"\} 1\n/);
    expect(text).toContain('edge_sentinel_asset_detecting{asset="pump-1"} 1');
    expect(text).toMatch(/edge_sentinel_decode_errors_total [1-9]/);
    const h = (await (await fetch(`http://127.0.0.1:${agent.httpPort}/healthz`)).json()) as {
      ok: boolean;
      plantConnected: boolean;
      assets: unknown[];
    };
    expect(h.plantConnected).toBe(true);
    expect(h.assets).toEqual([{ asset: 'pump-1', phase: 'detecting', samples: 200 }]);
  });

  it('relearns an asset on POST /assets/<asset>/refit', async () => {
    const headers = { authorization: 'Bearer e2e-refit-token-0123' };
    const r = await fetch(`http://127.0.0.1:${agent.httpPort}/assets/pump-1/refit`, { method: 'POST', headers });
    expect(r.status).toBe(202);
    expect(agent.pipeline.phases()).toEqual([]);
    expect((await fetch(`http://127.0.0.1:${agent.httpPort}/assets/nope/refit`, { method: 'POST', headers })).status).toBe(404);
  });
});
