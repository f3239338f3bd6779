/**
 * One site of the fleet bench, in its own process: the real agent (the
 * controller and extensions `edge-sentinel run` builds) and a small plant
 * publishing plain numbers to the site's edge broker, with faults switched
 * on and off on command. Light on purpose (template summaries, short
 * learning): twenty of these share two cores with twenty-one brokers.
 */
import mqtt from 'mqtt';
import { parseConfig } from '../../../agent/config/load.js';
import { Agent } from '../../../agent/controller.js';
import { defaultExtensions } from '../../../agent/extensions.js';
import { createRootLogger } from '../../../agent/observe/logger.js';
import { gauss, rng } from '../../../agent/sim/random.js';
import type { Alert } from '../../../agent/alerts/schema.js';
import type { FromSite, SiteSetup, ToSite } from './protocol.js';

const setup = JSON.parse(process.argv[2] ?? '') as SiteSetup;
const send = (m: FromSite): void => {
  process.send?.(m);
};

const cfg = parseConfig({
  agent: { id: setup.agentId, site: setup.site, stateDir: setup.stateDir },
  log: { level: 'warn' },
  plant: { broker: { url: setup.edgeUrl, protocolVersion: 4 }, subscriptions: [{ topic: 'plant/{asset}/{signal}', decoder: 'number' }] },
  assets: { defaults: { learnSamples: setup.learnSamples, deadlineMs: 50 } },
  // Short episodes so a burst makes many alerts: open after 2 anomalous scans, resolve after 4 normal ones, no cooldown.
  alerts: { openAfter: 2, resolveAfter: 4, cooldownS: 0, update: { minIntervalS: 1 } },
  explain: { mode: 'template' },
  observe: { http: { enabled: false } },
  uplink: { enabled: true, prefix: setup.prefix, broker: { url: setup.edgeUrl, reconnectMs: 500 }, healthIntervalS: 10 },
});
const log = createRootLogger('warn');
const agent = new Agent(cfg, log, defaultExtensions());
const decided: Array<{ id: string; asset: string }> = [];
agent.bus.on('alert', (a) => decided.push({ id: (a.payload as Alert).id, asset: a.asset }));

const u = rng(setup.seed);
const assets = Array.from({ length: setup.assets }, (_, i) => `a${i}`);
const signals = Array.from({ length: setup.signals }, (_, i) => `s${i}`);
const faulty = new Set<string>();
const plant = mqtt.connect(setup.edgeUrl, { protocolVersion: 4, clientId: `plant-${setup.site}` });
let tick: NodeJS.Timeout | null = null;

function publishScan(): void {
  for (const a of assets) {
    signals.forEach((s, j) => {
      // A level shift of 12 spreads on the first signal while the asset is faulty.
      const v = 10 * (j + 1) + gauss(u) + (j === 0 && faulty.has(a) ? 12 : 0);
      plant.publish(`plant/${a}/${s}`, v.toFixed(3));
    });
  }
}

async function burst(b: Extract<ToSite, { type: 'burst' }>): Promise<void> {
  const period = (b.onS + b.offS) * 1000;
  const t0 = Date.now();
  let faults = 0;
  // Each asset starts its cycle at its own offset, so alerts spread over time rather than arrive in lockstep.
  const offsets = assets.map(() => Math.floor(u() * period));
  const timer = setInterval(() => {
    const t = Date.now() - t0;
    assets.forEach((a, i) => {
      const on = t < b.durationS * 1000 && (t + offsets[i]!) % period < b.onS * 1000;
      if (on && !faulty.has(a)) faults++;
      if (on) faulty.add(a);
      else faulty.delete(a);
    });
  }, 100);
  await new Promise((r) => setTimeout(r, b.durationS * 1000));
  clearInterval(timer);
  faulty.clear();
  send({ type: 'burst-done', faults });
}

function report(): FromSite {
  const r = process.resourceUsage();
  return {
    type: 'report',
    decided,
    queued: agentOutboxQueued() ?? -1,
    auditPath: `${setup.stateDir}/egress-audit.log`,
    cpuS: (r.userCPUTime + r.systemCPUTime) / 1e6,
    rssMb: Math.round(process.memoryUsage().rss / 1e5) / 10,
  };
}

function agentOutboxQueued(): number | undefined {
  const up = agent.health()['uplink'] as { outbox?: { queued: number } } | undefined;
  return up?.outbox?.queued;
}

process.on('message', (m: ToSite) => {
  if (m.type === 'burst') void burst(m);
  else if (m.type === 'report') send(report());
  else if (m.type === 'stop') {
    if (tick) clearInterval(tick);
    void plant
      .endAsync()
      .then(() => agent.stop())
      .then(() => process.exit(0));
  }
});

await agent.start();
await new Promise<void>((r) => (plant.connected ? r() : plant.once('connect', () => r())));
tick = setInterval(publishScan, 1000 / setup.rateHz);
send({ type: 'ready' });
const learned = setInterval(() => {
  const p = agent.pipeline.phases();
  if (p.length === assets.length && p.every((x) => x.phase === 'detecting')) {
    clearInterval(learned);
    send({ type: 'learned' });
  }
}, 200);
