/**
 * Health that tells the truth, end to end: the real agent (shared Mosquitto as
 * the plant broker, an in-process upstream that goes down and comes back, an
 * InfluxDB URL nobody answers, a corrupt language model) and what /healthz,
 * /metrics, the upstream status and the log say about it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../agent/config/load.js';
import { Agent } from '../../agent/controller.js';
import { defaultExtensions } from '../../agent/extensions.js';
import { tempDir } from '../alerts/helpers.js';
import { memoryLogger } from '../helpers/log.js';
import { uniq, waitFor } from '../helpers/wait.js';
import { startUpstreamBroker, type UpstreamBroker } from '../uplink/helpers/upstream-broker.js';

let agent: Agent;
let up: UpstreamBroker;
const { log, lines } = memoryLogger('info');
const dir = tempDir('health');
const lmDir = join(dir, 'broken-lm');

async function healthz(): Promise<{
  code: number;
  body: Record<string, unknown> & { components: Record<string, { state: string; reason: string }> };
}> {
  const r = await fetch(`http://127.0.0.1:${agent.httpPort}/healthz`);
  return { code: r.status, body: (await r.json()) as never };
}

beforeAll(async () => {
  up = await startUpstreamBroker();
  mkdirSync(join(lmDir, 'onnx'), { recursive: true });
  writeFileSync(join(lmDir, 'config.json'), '{"num_attention_heads": 2}');
  writeFileSync(join(lmDir, 'tokenizer.json'), '{"model": {"vocab": {}}}');
  writeFileSync(join(lmDir, 'onnx', 'model.onnx'), 'not an onnx model');
  const cfg = parseConfig({
    agent: { id: 'h1', site: 'hs', stateDir: join(dir, 'state') },
    plant: { subscriptions: [{ topic: `${uniq('health')}/{asset}/{signal}`, decoder: 'number' }] },
    observe: { http: { port: 0 }, health: { downAfterS: 1, checkIntervalMs: 100 } },
    explain: { mode: 'lm', modelDir: lmDir },
    history: { url: 'http://127.0.0.1:1', retryIntervalMs: 200 },
    uplink: { enabled: true, prefix: 'hz', healthIntervalS: 0, broker: { url: up.url, protocolVersion: 4, reconnectMs: 100 } },
  });
  agent = new Agent(cfg, log, defaultExtensions());
  await agent.start();
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await up?.close();
});

describe('component health', () => {
  it('names each component; a dead InfluxDB and a broken language model degrade, they do not fail', async () => {
    await waitFor(() => agent.healthRegistry.get('history')?.state === 'degraded', 10_000, 'history degraded');
    await waitFor(() => agent.healthRegistry.get('uplink')?.state === 'ok', 10_000, 'uplink connected');
    const { code, body } = await healthz();
    expect(code).toBe(200);
    expect(body.status).toBe('degraded');
    expect(Object.keys(body.components)).toEqual(['plant', 'hotpath', 'baselines', 'alertStore', 'outbox', 'uplink', 'explain', 'history']);
    expect(body.components['plant']).toMatchObject({ state: 'ok' });
    expect(body.components['explain']).toMatchObject({ state: 'degraded', reason: 'explain_model_unavailable' });
    expect(String((body.components['explain'] as unknown as { message: string }).message)).toContain(lmDir);
    expect(body.components['history']).toMatchObject({ state: 'degraded', reason: 'history_unreachable' });
    expect(body.degraded).toEqual(['explain', 'history']);
    expect(body.down).toEqual([]);
  });

  it('an upstream outage: degraded at once, down (503) after downAfterS, one log line per change, ok when it returns', async () => {
    await up.down();
    await waitFor(() => agent.healthRegistry.get('uplink')?.reason === 'uplink_reconnecting', 5000, 'uplink degraded');
    const during = await healthz();
    expect(during.code).toBe(200);
    expect(during.body.components['uplink']).toMatchObject({ state: 'degraded', reason: 'uplink_reconnecting' });
    await waitFor(() => agent.healthRegistry.get('uplink')?.state === 'down', 5000, 'uplink down');
    const down = await healthz();
    expect(down.code).toBe(503);
    expect(down.body.ok).toBe(false);
    expect(down.body.down).toEqual(['uplink']);
    expect(down.body.components['uplink']).toMatchObject({ reason: 'uplink_unreachable' });
    const metrics = await (await fetch(`http://127.0.0.1:${agent.httpPort}/metrics`)).text();
    expect(metrics).toContain('edge_sentinel_component_status{component="uplink"} 2');
    expect(metrics).toContain('edge_sentinel_component_status{component="history"} 1');
    expect(metrics).toContain('edge_sentinel_component_status{component="plant"} 0');
    // Let it retry a few more times: the retries refresh the message, they do not log.
    await waitFor(() => /([3-9]|\d\d+) failed attempts/.test(agent.healthRegistry.get('uplink')?.message ?? ''), 10_000, '3 retries');
    await up.up();
    await waitFor(() => agent.healthRegistry.get('uplink')?.state === 'ok', 20_000, 'uplink back');
    const uplinkLines = lines.filter((l) => l['component'] === 'uplink').map((l) => `${String(l['state'])}:${String(l['reason'])}`);
    expect(uplinkLines).toEqual([
      'degraded:uplink_reconnecting',
      'ok:ok',
      'degraded:uplink_reconnecting',
      'down:uplink_unreachable',
      'ok:ok',
    ]);
    expect(lines.filter((l) => /upstream broker error/.test(String(l['msg'])))).toEqual([]);
    expect(agent.healthRegistry.get('uplink')?.message).toMatch(/after \d+ failed attempts \(last error: .+\)/);
    expect((await healthz()).code).toBe(200);
  });

  it('the upstream status carries each component state and reason (codes only, no messages)', async () => {
    await waitFor(
      () => up.received.some((m) => m.topic === 'hz/hs/status' && m.payload.includes('"uplink":{"state":"ok"')),
      5000,
      'a status with the uplink back',
    );
    const last = up.received.filter((m) => m.topic === 'hz/hs/status' && m.payload.includes('"components"')).at(-1)!;
    const status = JSON.parse(last.payload.toString()) as { health: { status: string; components: Record<string, object> } };
    expect(status.health.status).toBe('degraded');
    expect(status.health.components['explain']).toEqual({
      state: 'degraded',
      reason: 'explain_model_unavailable',
      since: expect.any(String),
    });
    expect(last.payload.toString()).not.toContain(lmDir);
  });
});
