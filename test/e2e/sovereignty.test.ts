import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../agent/config/load.js';
import { Agent } from '../../agent/controller.js';
import { defaultExtensions } from '../../agent/extensions.js';
import { demoUnits } from '../../agent/sim/assets.js';
import { EmbeddedBroker } from '../../agent/sim/broker.js';
import { PlantSimulator } from '../../agent/sim/plant.js';
import { SimPublisher } from '../../agent/sim/publisher.js';
import { classifyUpstreamMessage, readEgressAudit } from '../../agent/uplink/index.js';
import { startUpstreamBroker, type UpstreamBroker } from '../uplink/helpers/upstream-broker.js';
import { memoryLogger } from '../helpers/log.js';
import { waitFor } from '../helpers/wait.js';

/** Numeric fields an upstream message may carry; anything else numeric would be a leak. */
const ALLOWED_NUMERIC =
  /^(v|seq|score|threshold|evidence\.\d+\.(value|baseline|spread|z|ratio|deviation)|diagnosis\.confidence|diagnosis\.driver\.(expected|z)|health\..*)$/;

function numericPaths(v: unknown, path: string[] = [], out: Array<[string, number]> = []): Array<[string, number]> {
  if (typeof v === 'number') out.push([path.join('.'), v]);
  else if (Array.isArray(v)) v.forEach((x, i) => numericPaths(x, [...path, String(i)], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) numericPaths(x, [...path, k], out);
  return out;
}

/**
 * Sovereignty: run the demo plant through the agent with the uplink on, capture
 * every byte sent upstream, and show that only alerts and status left: no raw
 * sample stream, no features, no baselines — and every publish was audited.
 */
describe('only alerts and status leave the box', () => {
  let upstream: UpstreamBroker;
  const plant = new EmbeddedBroker(0);
  const stateDir = mkdtempSync(join(tmpdir(), 'es-sov-'));
  let agent: Agent;
  let pub: SimPublisher;
  const raw: number[] = [];

  beforeAll(async () => {
    upstream = await startUpstreamBroker();
    await plant.start();
    const cfg = parseConfig({
      agent: { id: 'sov', site: 'plant9', stateDir },
      log: { level: 'warn' },
      plant: { broker: { url: plant.url, protocolVersion: 4 } },
      assets: { defaults: { learnSamples: 100 }, units: demoUnits() },
      observe: { http: { enabled: false } },
      uplink: { enabled: true, prefix: 'es', broker: { url: upstream.url, protocolVersion: 4 }, healthIntervalS: 1 },
    });
    agent = new Agent(cfg, memoryLogger('warn').log, defaultExtensions());
    agent.bus.on('sample', (s) => raw.push(s.value));
    await agent.start();
    pub = new SimPublisher(plant.url, new PlantSimulator(3, 3, 4), 20, memoryLogger('warn').log, 4);
    await pub.start();
  });

  afterAll(async () => {
    await pub.stop();
    await agent.stop();
    await plant.stop();
    await upstream.close();
  });

  it('captures alerts upstream during the run, and nothing else', async () => {
    await waitFor(() => upstream.received.some((m) => m.topic.endsWith('/alert')) && raw.length > 1500, 40_000, 'an alert upstream');
    await new Promise((r) => setTimeout(r, 3000));
    const got = [...upstream.received];
    expect(raw.length).toBeGreaterThan(1000);
    // Far fewer messages than samples: no per-sample traffic.
    expect(got.length).toBeLessThan(raw.length / 20);
    for (const m of got) {
      expect(m.topic).toMatch(/^es\/plant9\/(status|[^/]+\/alert)$/);
      expect(classifyUpstreamMessage(m.topic, m.payload)).toMatchObject({ ok: true });
      const body = JSON.parse(m.payload.toString()) as Record<string, unknown>;
      for (const [path] of numericPaths(body)) expect(path).toMatch(ALLOWED_NUMERIC);
      // Evidence is one current value per signal, never a series.
      const ev = (body['evidence'] as unknown[] | undefined) ?? [];
      expect(ev.length).toBeLessThanOrEqual(5);
    }
    // Every raw value that appears upstream appears only as an evidence value.
    const rawSet = new Set(raw);
    for (const m of got) {
      for (const [path, n] of numericPaths(JSON.parse(m.payload.toString()))) {
        if (rawSet.has(n) && Number.isFinite(n) && !Number.isInteger(n)) expect(path).toMatch(/^evidence\.\d+\.value$/);
      }
    }
    // Every upstream publish went through the egress gate and its audit log.
    const audit = readEgressAudit(join(stateDir, 'egress-audit.log')).filter((l) => l.action === 'publish');
    expect(audit.length).toBeGreaterThanOrEqual(got.length);
    for (const a of audit) expect(['alert', 'status', 'health']).toContain(a.kind);
    expect(audit.filter((a) => a.kind === 'alert').length).toBe(got.filter((m) => m.topic.endsWith('/alert')).length);
  }, 60_000);
});
