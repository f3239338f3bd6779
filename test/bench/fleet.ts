/**
 * `npm run bench:fleet -- [--json] [--agents 20] [--burst-s 120] [--cut-s 60] [--cut-sites 1] [--flood-s 15] ...`
 *
 * A fleet on one box: N sites, each its own process running the real agent
 * against its own edge Mosquitto (plant data and uplink both local), each
 * edge broker bridged to one central Mosquitto through a TCP relay that can
 * cut the link. A central consumer receives every alert. In the middle of a
 * burst of faults, the bridges of `--cut-sites` sites are cut for `--cut-s`
 * seconds. The ledger compares what every agent decided and published with
 * what arrived centrally: lost, duplicated, out of order (per site and per
 * asset), delivery time, and the central broker's CPU. Then a flood of
 * alert-sized messages finds what the central broker carries at most here.
 * See docs/fleet.md. With --json the last line of stdout is one JSON object.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { readEgressAudit } from '../../agent/uplink/audit.js';
import { benchMain } from './lib/args.js';
import { machine, round } from './lib/common.js';
import { startMosquitto, Relay, type Broker } from './fleet/brokers.js';
import { flood, FLOOD_ASSET, type FloodCounter } from './fleet/flood.js';
import { ledger, quantile, type Arrival } from './fleet/ledger.js';
import { fleetOptions, type FleetOptions } from './fleet/options.js';
import { drainedReports, startSites, stopSites, type SiteProc } from './fleet/sites.js';
import { cpuSeconds, rssMb, sleep, wall } from './perf/procs.js';

const say = (s: string): void => {
  // Progress on stderr: stdout's last line is the JSON object.
  process.stderr.write(`[fleet ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
};

let dir = '';
const prefix = `es-fleet-${process.pid}`;
const brokers: Broker[] = [];
const relays: Relay[] = [];
const sites: SiteProc[] = [];

async function main(o: FleetOptions): Promise<Record<string, unknown>> {
  const load0 = loadavg();
  dir = mkdtempSync(join(tmpdir(), 'es-fleet-bench-'));
  const central = await startMosquitto('central', dir, undefined, o.nice);
  brokers.push(central);
  const rss0 = rssMb(central.pid);
  const names = Array.from({ length: o.agents }, (_, i) => `site${String(i).padStart(2, '0')}`);
  const edges: Broker[] = [];
  for (const site of names) {
    const relay = new Relay(central.port);
    await relay.start();
    relays.push(relay);
    const edge = await startMosquitto(`edge-${site}`, dir, { site, address: `127.0.0.1:${relay.port}`, prefix }, o.nice);
    brokers.push(edge);
    edges.push(edge);
  }
  say(`central Mosquitto :${central.port}, ${edges.length} edge brokers bridged to it`);

  // The central consumer: a persistent session, so a reconnect of its own would not lose anything either.
  const arrivals: Arrival[] = [];
  const online = new Set<string>();
  const floodCount: FloodCounter = { n: 0, firstMs: 0, lastMs: 0 };
  let sample: Buffer | null = null;
  const consumer = await mqtt.connectAsync(central.url, { protocolVersion: 4, clientId: `${prefix}-central`, clean: false });
  (consumer.stream as unknown as { setNoDelay?(b: boolean): void }).setNoDelay?.(true);
  consumer.on('message', (topic, payload) => {
    const now = wall();
    if (topic.endsWith(`/${FLOOD_ASSET}/alert`)) {
      if (floodCount.n++ === 0) floodCount.firstMs = now;
      floodCount.lastMs = now;
    } else if (topic.endsWith('/alert')) {
      const a = JSON.parse(payload.toString()) as { id: string; site: string; asset: string; sent: string };
      arrivals.push({ id: a.id, site: a.site, asset: a.asset, sentMs: Date.parse(a.sent), arrivedMs: now });
      sample ??= payload;
    } else if (topic.endsWith('/status') && payload.length) {
      const s = JSON.parse(payload.toString()) as { site: string; state: string };
      if (s.state === 'online') online.add(s.site);
    }
  });
  await consumer.subscribeAsync([`${prefix}/+/+/alert`, `${prefix}/+/status`], { qos: 1 });

  await startSites(
    o,
    names,
    edges.map((e) => e.url),
    dir,
    prefix,
    sites,
  );
  const t0 = Date.now();
  while (online.size < names.length && Date.now() - t0 < 30_000) await sleep(200);
  if (online.size < names.length) throw new Error(`only ${online.size}/${names.length} sites' statuses reached the central broker`);
  say('all assets detecting; every site online at the central broker');

  // Idle cost of the central broker (bridges connected, statuses only), then the burst.
  const idle0 = cpuSeconds(central.pid);
  await sleep(5000);
  const centralIdlePct = ((cpuSeconds(central.pid) - idle0) / 5) * 100;
  const centralRssMb = rssMb(central.pid);
  const cpu0 = cpuSeconds(central.pid);
  const b0 = Date.now();
  const done = Promise.all(sites.map((p) => p.next('burst-done', (o.burstS + 60) * 1000)));
  for (const p of sites) p.send({ type: 'burst', durationS: o.burstS, onS: o.onS, offS: o.offS });
  const cut = relays.slice(0, o.cutSites);
  const cutFrom = (o.burstS - o.cutS) / 2;
  say(`burst of ${o.burstS} s on ${names.length * o.assets} assets; cutting ${cut.length} bridge(s) at +${cutFrom} s for ${o.cutS} s`);
  await sleep(cutFrom * 1000);
  for (const r of cut) await r.cut();
  await sleep(o.cutS * 1000);
  for (const r of cut) await r.heal();
  say(`bridge(s) restored at +${Math.round((Date.now() - b0) / 1000)} s`);
  const faults = (await done).reduce((n, m) => n + m.faults, 0);
  const burstMs = Date.now() - b0;
  const centralCpuS = cpuSeconds(central.pid) - cpu0;

  const d0 = Date.now();
  const reports = await drainedReports(sites, () => new Set(arrivals.map((a) => a.id)), o.drainS);
  const drainMs = Date.now() - d0;
  const l = ledger(
    reports.map((r, i) => ({
      site: names[i]!,
      decided: r.decided.map((d) => d.id),
      published: readEgressAudit(r.auditPath)
        .filter((x) => x.kind === 'alert' && x.action === 'publish' && x.id)
        .map((x) => x.id!),
    })),
    arrivals,
  );
  const cutNames = new Set(names.slice(0, o.cutSites));
  const uncut = arrivals.filter((a) => !cutNames.has(a.site)).map((a) => a.arrivedMs - a.sentMs);
  const agentCpuPct = (reports.reduce((n, r) => n + r.cpuS, 0) / reports.length / ((Date.now() - b0) / 1000)) * 100;

  let ceiling: Awaited<ReturnType<typeof flood>> | null = null;
  if (o.floodS > 0 && sample) {
    say(`flood: ${o.floodS} s of ${(sample as Buffer).length}-byte alerts into ${edges.length} edge brokers at once`);
    ceiling = await flood(
      edges.map((e) => e.url),
      names,
      prefix,
      sample,
      o.floodS,
      floodCount,
      central.pid,
    );
  }
  await consumer.endAsync();
  return {
    agents: names.length,
    alerts: l.alerts,
    lost: l.lost,
    outOfOrder: l.outOfOrder,
    p99DeliveryMs: round(quantile(l.deliveryMs, 0.99) ?? NaN, 1),
    // % of one core over the burst (/proc ticks are 10 ms: centralBrokerCpuS says how many were counted).
    centralBrokerCpu: round((centralCpuS / (burstMs / 1000)) * 100, 2),
    centralBrokerCpuS: round(centralCpuS, 2),
    delivered: l.delivered,
    duplicates: l.duplicates,
    outOfOrderPerAsset: l.outOfOrderPerAsset,
    outOfOrderBySite: l.outOfOrderBySite,
    cutSiteNames: [...cutNames],
    p50DeliveryMs: round(quantile(l.deliveryMs, 0.5) ?? NaN, 1),
    p99DeliveryMsUncutSites: round(quantile(uncut, 0.99) ?? NaN, 1),
    maxDeliveryMs: round(Math.max(...l.deliveryMs), 1),
    alertsPerSecond: round(l.alerts / (burstMs / 1000), 1),
    centralBrokerIdleCpu: round(centralIdlePct, 2),
    centralBrokerRssMb: { alone: rss0, withBridges: centralRssMb },
    floodMsgsPerSecond: ceiling ? round(ceiling.msgsPerS, 0) : null,
    floodSent: ceiling?.sent ?? null,
    floodReceived: ceiling?.received ?? null,
    floodCentralBrokerCpu: ceiling ? round(ceiling.centralCpuPct, 1) : null,
    floodCentralUsPerMsg: ceiling ? round(ceiling.centralUsPerMsg, 1) : null,
    faultsInjected: faults,
    assets: names.length * o.assets,
    cutSites: o.cutSites,
    cutS: o.cutS,
    burstS: round(burstMs / 1000, 1),
    drainS: round(drainMs / 1000, 1),
    queuedAtEnd: reports.reduce((n, r) => n + Math.max(0, r.queued), 0),
    agentCpuPctMean: round(agentCpuPct, 1),
    agentRssMbMean: round(reports.reduce((n, r) => n + r.rssMb, 0) / reports.length, 1),
    lostIds: l.lostIds.slice(0, 20),
    loadavgBefore: load0.map((x) => round(x, 2)),
    loadavgAfter: loadavg().map((x) => round(x, 2)),
    nice: o.nice,
    ...machine(),
  };
}

async function cleanup(): Promise<void> {
  await stopSites(sites);
  for (const r of relays) await r.stop();
  for (const b of brokers.reverse()) await b.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

benchMain(async () => {
  const o = fleetOptions(process.argv.slice(2));
  let r: Record<string, unknown>;
  try {
    r = await main(o);
  } catch (err) {
    for (const b of brokers) if (b.log().trim()) say(`${b.name}: ${b.log().trim().split('\n').slice(-5).join(' | ')}`);
    await cleanup();
    throw err;
  }
  await cleanup();
  if (!o.json) {
    say(
      `${r['agents']} agents, ${r['alerts']} alerts (${r['alertsPerSecond']}/s): lost ${r['lost']}, duplicates ${r['duplicates']}, out of order ${r['outOfOrder']} per site / ${r['outOfOrderPerAsset']} per asset; delivery p50 ${r['p50DeliveryMs']} ms, p99 ${r['p99DeliveryMs']} ms (uncut sites ${r['p99DeliveryMsUncutSites']} ms); central broker ${r['centralBrokerCpu']} % of a core (idle ${r['centralBrokerIdleCpu']} %); flood ${r['floodMsgsPerSecond']} msgs/s at ${r['floodCentralBrokerCpu']} %`,
    );
  }
  process.stdout.write(`${JSON.stringify(r)}\n`);
});
