/**
 * The real agent in this process against the real Mosquitto (plant side,
 * unique topic prefix) and an in-process upstream broker, for fault tests:
 * learn a baseline quickly, inject a fault, watch /healthz and what arrives
 * upstream.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { parseConfig } from '../../agent/config/load.js';
import type { ConfigInput } from '../../agent/config/schema.js';
import { Agent } from '../../agent/controller.js';
import { defaultExtensions } from '../../agent/extensions.js';
import type { HealthReport } from '../../agent/observe/http.js';
import { startUpstreamBroker, type UpstreamBroker } from '../uplink/helpers/upstream-broker.js';
import { memoryLogger } from './log.js';
import { uniq, waitFor } from './wait.js';

export interface AgentRig {
  agent: Agent;
  upstream: UpstreamBroker;
  prefix: string;
  lines: Array<Record<string, unknown>>;
  /** Publishes `n` samples of signal x for `asset`, value from `v(i)`, paced so the plant broker keeps them. */
  feed(asset: string, n: number, v: (i: number) => number): Promise<void>;
  /** Feeds normal samples until the asset detects. */
  learn(asset: string): Promise<void>;
  /** Feeds `n` normal (noisy, like the learning data) samples. */
  calm(asset: string, n: number): Promise<void>;
  /** Feeds a fault until an alert of the asset opens; returns the alerts seen upstream. */
  fault(asset: string): Promise<void>;
  healthz(): Promise<{ code: number; body: HealthReport }>;
  stop(): Promise<void>;
}

/** Deep-merges b into a (objects only; arrays and scalars replace). */
export function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)
        ? merge(cur as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

export async function startAgentRig(stateDir: string, config: ConfigInput = {}): Promise<AgentRig> {
  const upstream = await startUpstreamBroker();
  const prefix = uniq('rig');
  const { log, lines } = memoryLogger('info');
  const base: ConfigInput = {
    agent: { id: 'rig', site: 'rigsite', stateDir, storageRetryS: 0.2 },
    plant: { subscriptions: [{ topic: `${prefix}/{asset}/{signal}`, decoder: 'number' }] },
    assets: { defaults: { learnSamples: 60, deadlineMs: 50 } },
    alerts: { openAfter: 2, resolveAfter: 3, cooldownS: 0, update: { minIntervalS: 0 } },
    observe: { http: { port: 0 }, health: { checkIntervalMs: 100 } },
    explain: { mode: 'template' },
    uplink: { enabled: true, prefix: 'rig', healthIntervalS: 0, broker: { url: upstream.url, protocolVersion: 4, reconnectMs: 100 } },
  };
  const cfg = parseConfig(merge(base as Record<string, unknown>, config as Record<string, unknown>));
  const agent = new Agent(cfg, log, defaultExtensions());
  await agent.start();
  const pub: MqttClient = mqtt.connect('mqtt://127.0.0.1:1883', { clientId: uniq('rigpub') });
  await new Promise<void>((r) => pub.once('connect', () => r()));
  let noise = 1;
  const rnd = (): number => (noise = (noise * 16807) % 2147483647) / 2147483647;
  const feed = async (asset: string, n: number, v: (i: number) => number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      pub.publish(`${prefix}/${asset}/x`, String(v(i)));
      if (i % 20 === 19) await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 50));
  };
  const rig: AgentRig = {
    agent,
    upstream,
    prefix,
    lines,
    feed,
    learn: async (asset) => {
      for (let k = 0; k < 40 && agent.pipeline.phases().find((p) => p.asset === asset)?.phase !== 'detecting'; k++)
        await feed(asset, 40, () => 10 + rnd());
      await waitFor(() => agent.pipeline.phases().find((p) => p.asset === asset)?.phase === 'detecting', 10_000, `${asset} detecting`);
    },
    calm: (asset, n) => feed(asset, n, () => 10 + rnd()),
    fault: async (asset) => {
      const opened = (): boolean =>
        agent.stats.anomalies > 0 && lines.some((l) => l['msg'] === 'alert committed' && l['asset'] === asset && l['state'] === 'open');
      for (let k = 0; k < 20 && !opened(); k++) await feed(asset, 10, () => 80 + rnd());
      await waitFor(opened, 10_000, `an alert of ${asset}`);
    },
    healthz: async () => {
      const r = await fetch(`http://127.0.0.1:${agent.httpPort}/healthz`);
      return { code: r.status, body: (await r.json()) as HealthReport };
    },
    stop: async () => {
      await pub.endAsync();
      await agent.stop();
      await upstream.close();
    },
  };
  return rig;
}
