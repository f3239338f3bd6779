import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import sparkplug from 'sparkplug-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../agent/config/load.js';
import { Agent } from '../../agent/controller.js';
import { defaultExtensions } from '../../agent/extensions.js';
import { gauss, rng } from '../../agent/sim/random.js';
import { memoryLogger } from '../helpers/log.js';
import { uniq, waitFor } from '../helpers/wait.js';

const BROKER = 'mqtt://127.0.0.1:1883';
type TahuClient = ReturnType<typeof sparkplug.newClient>;

/**
 * The agent as a Sparkplug B host application against Eclipse Tahu's own
 * edge node client (sparkplug-client from npm, not ours), through the real
 * Mosquitto: two edge nodes, each with a device called "pump", 20 scans/s,
 * every fifth DATA message compressed. The nodes are born before the agent
 * starts, so the agent first sees data without a birth and must ask for a
 * rebirth; Tahu's application answers it as a real one would.
 */
describe('Sparkplug ingest against Tahu sparkplug-client', () => {
  const group = uniq('tahu');
  const prefix = uniq('tahu-up');
  const stateDir = mkdtempSync(join(tmpdir(), 'es-tahu-'));
  const { log } = memoryLogger('info');
  const nodes = new Map<string, { client: TahuClient; fault: boolean; timer?: NodeJS.Timeout }>();
  const alerts: Array<Record<string, unknown>> = [];
  let agent: Agent;
  let up: mqtt.MqttClient;
  const asset = (edge: string) => `${group}/${edge}/pump`;

  const births = (c: TahuClient): void => {
    c.publishNodeBirth({
      timestamp: Date.now(),
      metrics: [
        { name: 'Node Control/Rebirth', type: 'Boolean', value: false },
        { name: 'Properties/Hardware Make', type: 'String', value: 'Tahu' },
      ],
    });
    c.publishDeviceBirth('pump', {
      timestamp: Date.now(),
      metrics: [
        { name: 'flow', type: 'Double', value: 40 },
        { name: 'pressure', type: 'Double', value: 6 },
        { name: 'Device Control/Rebirth', type: 'Boolean', value: false },
      ],
    });
  };

  const start = (edge: string, seed: number): Promise<void> => {
    const client = sparkplug.newClient({
      serverUrl: BROKER,
      username: '',
      password: '',
      groupId: group,
      edgeNode: edge,
      clientId: uniq(edge),
      version: 'spBv1.0',
      publishDeath: true,
    });
    const n: { client: TahuClient; fault: boolean; timer?: NodeJS.Timeout } = { client, fault: false };
    nodes.set(edge, n);
    const u = rng(seed);
    let k = 0;
    client.on('birth', () => births(client));
    // What an edge node application does with a host's rebirth request.
    client.on('ncmd', (p) => {
      if ((p.metrics ?? []).some((m) => m.name === 'Node Control/Rebirth' && m.value === true)) births(client);
    });
    n.timer = setInterval(() => {
      const metrics = [
        { name: 'flow', type: 'Double' as const, value: 40 + 0.5 * gauss(u) + (n.fault ? 8 : 0) },
        { name: 'pressure', type: 'Double' as const, value: 6 + 0.1 * gauss(u) },
      ];
      client.publishDeviceData('pump', { timestamp: Date.now(), metrics }, { compress: ++k % 5 === 0 });
    }, 50);
    return new Promise((r) => client.on('birth', () => r()));
  };

  beforeAll(async () => {
    await Promise.all([start('E1', 1), start('E2', 2)]);
    up = await mqtt.connectAsync(BROKER, { protocolVersion: 4 });
    up.on('message', (_t, p) => alerts.push(JSON.parse(p.toString()) as Record<string, unknown>));
    await up.subscribeAsync(`${prefix}/+/+/alert`, { qos: 1 });
    const cfg = parseConfig({
      agent: { id: 'tahu-host', site: 'plantT', stateDir },
      plant: { broker: { url: BROKER, protocolVersion: 4 }, subscriptions: [{ topic: `spBv1.0/${group}/#`, decoder: 'sparkplug' }] },
      assets: { defaults: { learnSamples: 60, deadlineMs: 50 } },
      alerts: { openAfter: 3, resolveAfter: 5, cooldownS: 0 },
      explain: { mode: 'template' },
      observe: { http: { enabled: true, port: 0 } },
      uplink: { enabled: true, prefix, broker: { url: BROKER, reconnectMs: 200 } },
    });
    agent = new Agent(cfg, log, defaultExtensions());
    await agent.start();
  });
  afterAll(async () => {
    for (const n of nodes.values()) {
      clearInterval(n.timer);
      n.client.stop();
    }
    await agent?.stop();
    await up?.endAsync();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('asks for a rebirth of nodes it joined late, then learns each pump as its own asset (no node-control assets)', async () => {
    await waitFor(
      () => agent.pipeline.phases().filter((p) => p.phase === 'detecting').length === 2,
      30_000,
      'both pumps to learn after the rebirths',
    );
    expect(
      agent.pipeline
        .phases()
        .map((p) => p.asset)
        .sort(),
    ).toEqual([asset('E1'), asset('E2')]);
    const c = agent.stats.sparkplug;
    expect(c['no_birth']).toBeGreaterThan(0);
    expect(c['rebirth_requested']).toBeGreaterThanOrEqual(2);
    expect(c['node_birth']).toBeGreaterThanOrEqual(2);
    expect(c['excluded_control']).toBeGreaterThanOrEqual(4); // bdSeq and the two Rebirth metrics of both births
    expect(c['compressed']).toBeGreaterThan(0);
    const text = await (await fetch(`http://127.0.0.1:${agent.httpPort}/metrics`)).text();
    expect(text).toMatch(/edge_sentinel_sparkplug_events_total\{reason="rebirth_requested"\} [1-9]/);
    expect(text).toMatch(/edge_sentinel_sparkplug_events_total\{reason="compressed"\} [1-9]/);
  });

  it('alerts on the faulty pump of one node only, and resolves its alert as stale when the node dies', async () => {
    nodes.get('E1')!.fault = true;
    await waitFor(() => alerts.some((a) => a['state'] === 'open'), 20_000, 'an alert to open');
    expect(alerts.filter((a) => a['state'] === 'open').map((a) => a['asset'])).toEqual([asset('E1')]);
    // The node dies with the alert open (Tahu publishes its NDEATH on stop).
    const e1 = nodes.get('E1')!;
    clearInterval(e1.timer);
    e1.client.stop();
    await waitFor(() => alerts.some((a) => a['state'] === 'resolved' && a['asset'] === asset('E1')), 20_000, 'the stale resolution');
    const closed = alerts.find((a) => a['state'] === 'resolved' && a['asset'] === asset('E1'))!;
    expect(closed['stale']).toMatchObject({ reason: 'node_death' });
    expect(agent.stats.sparkplug['node_death']).toBe(1);
    const e1Node = () =>
      (agent.health()['sparkplug'] as Array<{ node: string; born: boolean }> | undefined)?.find((n) => n.node === `${group}/E1`);
    // /healthz hears of the hot thread's nodes by message: shortly after, not in the same turn.
    await waitFor(() => e1Node()?.born === false, 2000, '/healthz to show E1 dead');
    expect(e1Node()).toMatchObject({ born: false, devices: 0, conditions: ['dead'] });
  });
});
