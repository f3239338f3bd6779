/**
 * `npm run bench:chaos -- [--json] [--cycles N] [--seed S] ...` (`--help` lists every flag)
 *
 * Crash safety, shown many times: the real agent (the built CLI, `npm run build` first) runs against the
 * plant Mosquitto and an upstream Mosquitto of its own (test/bench/chaos/upstream.ts), and is killed with
 * SIGKILL at a random moment of each cycle. The cycles rotate through three situations:
 * - burst: faults on a random set of assets (alerts opening, updating, resolving), kill inside the burst;
 * - outage: the upstream stopped (alerts queue in the outbox), kill during the outage, upstream back later;
 * - restart: kill during the agent's own start-up (outbox replay, baselines loading, the first scans).
 * After each kill the agent is started again; the time from its spawn to its first decision is its recovery.
 * A subscriber on the upstream (persistent session, QoS 1) receives every alert. At the end the faults
 * stop, the outbox drains, and the ledger (test/bench/chaos/ledger.ts) compares the two sides.
 * With --json the last stdout line is one JSON object.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { rng } from '../../agent/sim/random.js';
import { benchMain, parseBenchArgs } from './lib/args.js';
import { machine, round } from './lib/common.js';
import { auditedAlertIds, chaosLedger, readOutbox, type Arrival } from './chaos/ledger.js';
import { Plant } from './chaos/plant.js';
import { Upstream } from './chaos/upstream.js';
import { freePort, Proc, sleep } from './perf/procs.js';
import { builtCli } from './perf/startup.js';

const FLAGS = {
  json: { type: 'boolean', help: 'the last stdout line is one JSON object' },
  cycles: { type: 'string', help: 'kill -9 cycles (default 100)' },
  seed: { type: 'string', help: 'seed of the random moments and fault sets (default 1)' },
  assets: { type: 'string', help: 'assets (default 6)' },
  url: { type: 'string', help: 'plant broker (default mqtt://127.0.0.1:1883)' },
  'drain-s': { type: 'string', help: 'longest wait for the outbox to drain at the end, s (default 120)' },
} as const;

const say = (s: string): void => void process.stderr.write(`${s}\n`);
type Scenario = 'burst' | 'outage' | 'restart';
const SCENARIOS: Scenario[] = ['burst', 'outage', 'restart'];

async function main(): Promise<void> {
  const a = parseBenchArgs('bench:chaos', process.argv.slice(2), FLAGS);
  const o = {
    json: a.flag('json'),
    cycles: a.num('cycles', 100, { min: 1, integer: true }),
    seed: a.num('seed', 1, { integer: true }),
    assets: a.num('assets', 6, { min: 1, integer: true }),
    url: a.str('url', 'mqtt://127.0.0.1:1883'),
    drainS: a.num('drain-s', 120, { min: 1 }),
  };
  const cli = builtCli(join(import.meta.dirname, '../..'));
  if (!cli) throw new Error('no dist/: run `npm run build` first (the chaos bench kills the built CLI)');
  const u = rng(o.seed);
  const dir = mkdtempSync(join(tmpdir(), 'es-chaos-'));
  const stateDir = join(dir, 'state');
  const tag = `chaos${process.pid}${Math.random().toString(36).slice(2, 6)}`;
  const upstream = new Upstream(dir, await freePort());
  const httpPort = await freePort();
  const cfgFile = join(dir, 'agent.json');
  writeFileSync(
    cfgFile,
    JSON.stringify({
      agent: { id: 'chaos', site: 'chaos', stateDir },
      log: { level: 'warn' },
      plant: { broker: { url: o.url, protocolVersion: 4 }, subscriptions: [{ topic: `${tag}/{asset}/{signal}`, decoder: 'number' }] },
      assets: { defaults: { learnSamples: 40, deadlineMs: 50 } },
      // Short episodes so a burst makes many transitions: open after 2 anomalous scans, resolve after 4 normal ones.
      alerts: { openAfter: 2, resolveAfter: 4, cooldownS: 0, update: { minIntervalS: 1 } },
      explain: { mode: 'template' },
      observe: { http: { enabled: true, port: httpPort }, status: { enabled: false } },
      uplink: {
        enabled: true,
        prefix: `${tag}-up`,
        broker: { url: upstream.url, reconnectMs: 200, reconnectMaxMs: 1000 },
        healthIntervalS: 0,
        egress: { auditMaxBytes: 1 << 30 },
      },
    }),
  );
  const arrivals: Arrival[] = [];
  const known = new Set<string>();
  const plant = new Plant(o.url, tag, o.assets, 3, o.seed);
  let agent: Proc<{ type: 'none' }, { type: 'none' }> | undefined;
  let sub: MqttClient | undefined;
  const healthz = (): Promise<{ decisions?: number } | undefined> =>
    fetch(`http://127.0.0.1:${httpPort}/healthz`).then(
      (r) => r.json() as Promise<{ decisions?: number }>,
      () => undefined,
    );
  const spawnAgent = (): Proc<{ type: 'none' }, { type: 'none' }> =>
    (agent = new Proc('agent', process.execPath, [cli, 'run', '--config', cfgFile]));
  /** Spawn → first decision of the new process, ms. */
  const recover = async (p: Proc<{ type: 'none' }, { type: 'none' }>): Promise<number> => {
    for (;;) {
      if (p.exited) throw new Error(`the agent exited by itself after a restart:\n${p.lastOutput()}`);
      const ms = performance.timeOrigin + performance.now() - p.spawnedAt;
      if (ms > 120_000) throw new Error(`the agent made no decision within 120 s of its restart:\n${p.lastOutput()}`);
      if (((await healthz())?.decisions ?? 0) > 0) return ms;
      await sleep(20);
    }
  };
  let kills = 0;
  let killsWithQueue = 0;
  let queuedAtKills = 0;
  const kill9 = async (): Promise<void> => {
    const p = agent!;
    const gone = new Promise<void>((r) => (p.exited ? r() : p.child.once('exit', () => r())));
    p.child.kill('SIGKILL');
    await gone;
    // Dead: its records can be read. Every queued id is one it decided.
    const q = readOutbox(stateDir).queued;
    for (const id of q.keys()) known.add(id);
    kills++;
    if (q.size > 0) killsWithQueue++;
    queuedAtKills += q.size;
  };
  const counts: Record<Scenario, number> = { burst: 0, outage: 0, restart: 0 };
  const recoveries: number[] = [];
  try {
    await upstream.start();
    sub = mqtt.connect(upstream.url, { clientId: `${tag}-sub`, clean: false, protocolVersion: 4, reconnectPeriod: 200 });
    sub.on('error', () => undefined);
    sub.on('message', (_t, payload) => {
      const m = JSON.parse(payload.toString('utf8')) as { id: string; asset: string; firstSeen: string; seq: number };
      arrivals.push({ id: m.id, asset: m.asset, firstSeenMs: Date.parse(m.firstSeen), seq: m.seq });
    });
    await new Promise<void>((r) => sub!.once('connect', () => r()));
    await sub.subscribeAsync(`${tag}-up/+/+/alert`, { qos: 1 });
    await plant.start();
    const t0 = Date.now();
    await recover(spawnAgent());
    // Learn before the first cycle, so that most cycles find the assets detecting (a kill while learning is one of them).
    await plant.waitLearned(httpPort, o.assets, 120_000);
    say(`chaos: agent learned ${o.assets} assets in ${round((Date.now() - t0) / 1000, 1)} s; ${o.cycles} cycles`);
    for (let c = 0; c < o.cycles; c++) {
      const sc = SCENARIOS[c % SCENARIOS.length]!;
      counts[sc]++;
      if (sc === 'restart') {
        // A regular restart (SIGTERM), then the kill during the new process's start-up, with a burst on.
        await agent!.kill();
        plant.burst(u);
        spawnAgent();
        await sleep(u() * 2000);
      } else {
        if (sc === 'outage') await upstream.stop();
        plant.burst(u);
        await sleep(u() * 3000);
      }
      await kill9();
      const p = spawnAgent();
      if (sc === 'outage') {
        await sleep(u() * 3000);
        await upstream.start();
      }
      recoveries.push(await recover(p));
      plant.calm();
      if ((c + 1) % 10 === 0)
        say(
          `chaos: ${c + 1}/${o.cycles} cycles, ${arrivals.length} alerts received, recovery max ${Math.round(Math.max(...recoveries))} ms`,
        );
    }
    // Drain: the plant stops sending, the upstream is up; until the outbox is empty and nothing arrives for 3 s.
    await plant.stop();
    const tDrain = Date.now();
    for (let last = -1, quiet = 0; Date.now() - tDrain < o.drainS * 1000 && quiet < 3; await sleep(1000)) {
      const q = readOutbox(stateDir).queued.size;
      quiet = q === 0 && arrivals.length === last ? quiet + 1 : 0;
      last = arrivals.length;
    }
    await agent?.kill();
    await sleep(1000);
    const end = readOutbox(stateDir);
    for (const id of auditedAlertIds(stateDir)) known.add(id);
    for (const id of end.queued.keys()) known.add(id);
    const l = chaosLedger(arrivals, known, end);
    const result = {
      bench: 'chaos',
      cycles: o.cycles,
      decided: l.decided,
      delivered: l.delivered,
      lost: l.lost,
      duplicates: l.duplicates,
      outOfOrder: l.outOfOrder,
      maxRecoveryMs: Math.round(Math.max(...recoveries)),
      p50RecoveryMs: Math.round(recoveries.sort((x, y) => x - y)[Math.floor(recoveries.length / 2)]!),
      kills,
      // Kills that found alerts queued (in flight or waiting for the upstream), and how many in all.
      killsWithQueue,
      queuedAtKills,
      stillQueued: l.stillQueued,
      droppedByPolicy: l.droppedByPolicy,
      lostIds: l.lostIds,
      scenarios: counts,
      upstreamOutages: upstream.outages,
      drainMs: Date.now() - tDrain,
      workload: { assets: o.assets, signals: 3, seed: o.seed },
      ...machine(),
    };
    say(
      `chaos: ${o.cycles} kill -9 cycles, decided ${l.decided}, delivered ${l.delivered}, lost ${l.lost}, duplicates ${l.duplicates}, out of order ${l.outOfOrder}, recovery max ${result.maxRecoveryMs} ms`,
    );
    if (o.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else console.log(JSON.stringify(result, null, 2));
  } finally {
    if (agent && !agent.exited) agent.child.kill('SIGKILL');
    await plant.stop();
    await sub?.endAsync().catch(() => undefined);
    await upstream.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

benchMain(main);
