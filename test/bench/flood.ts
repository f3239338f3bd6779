/**
 * `npm run bench:flood -- [--json] [--rate N] [--factor F] [--seconds S] [--soak MINUTES] ...` (`--help` lists every flag)
 *
 * Overload and memory over time, against the built CLI (`npm run build` first) and the real Mosquitto.
 *
 * - Flood (default): the agent learns at 5k/s, then the load generator offers `factor` × the sustainable
 *   rate (`--rate`, default 10k/s: the rate docs/performance.md holds the agent to) for `--seconds`. RSS is
 *   sampled every 250 ms; what the agent shed is read from /metrics (decisions and history samples shed by
 *   the hot thread, rejected samples) and what never reached it is published − received (the broker and the
 *   socket drop QoS 0 beyond what a subscriber reads). Then the offer drops to 1k/s with one spike a second
 *   for `--after-s`: the agent must decide again, with no deadline miss in that window, and alert on the spikes.
 * - Soak (`--soak MINUTES`): the agent at `--soak-rate` (default 10k/s) with one spike a second for that long
 *   (test/bench/perf/soak.ts); RSS and heap every 5 s; the slope after the first 10 minutes is the growth.
 *   A copy of dist/ runs it, so a rebuild of the worktree during the hour does not change the code under test.
 *
 * With --json the last stdout line is one JSON object.
 */
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machine, round } from './lib/common.js';
import { benchMain, parseBenchArgs } from './lib/args.js';
import { agentConfig, type AgentSetup } from './perf/agent.js';
import { BenchListener } from './perf/listener.js';
import { freePort, Proc, rssSampler, sleep, spawnTs } from './perf/procs.js';
import type { FromGen, ToGen } from './perf/protocol.js';
import { slope, soak } from './perf/soak.js';
import { builtCli } from './perf/startup.js';

const FLAGS = {
  json: { type: 'boolean', help: 'the last stdout line is one JSON object' },
  rate: { type: 'string', help: 'the sustainable rate, samples/s (default 10000)' },
  factor: { type: 'string', help: 'flood at this multiple of --rate (default 10)' },
  seconds: { type: 'string', help: 'flood duration, s (default 60)' },
  'after-s': { type: 'string', help: 'seconds at 1k/s with spikes after the flood (default 20)' },
  assets: { type: 'string', help: 'assets (default 100)' },
  signals: { type: 'string', help: 'signals per asset (default 5)' },
  soak: { type: 'string', help: 'instead of the flood: a memory soak of this many minutes' },
  'soak-rate': { type: 'string', help: 'rate of the soak, samples/s (default 10000)' },
  url: { type: 'string', help: 'plant broker (default mqtt://127.0.0.1:1883)' },
} as const;

const say = (s: string): void => void process.stderr.write(`${s}\n`);

/** A copy of dist/ beside links to node_modules and models: the code under test for a long run. */
function snapshotCli(repo: string, into: string): string {
  const cli = builtCli(repo);
  if (!cli) throw new Error('no dist/: run `npm run build` first (the flood and soak run the built CLI)');
  cpSync(join(repo, 'dist'), join(into, 'dist'), { recursive: true });
  cpSync(join(repo, 'package.json'), join(into, 'package.json'));
  for (const d of ['node_modules', 'models']) if (existsSync(join(repo, d))) symlinkSync(join(repo, d), join(into, d));
  return join(into, 'dist', 'agent', 'cli', 'main.js');
}

/** Reads counters from the agent's /metrics: a metric name → the sum over its label sets. */
async function metrics(port: number): Promise<Map<string, number>> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (m) out.set(m[1]!, (out.get(m[1]!) ?? 0) + Number(m[2]));
  }
  return out;
}

async function main(): Promise<void> {
  const a = parseBenchArgs('bench:flood', process.argv.slice(2), FLAGS);
  const o = {
    json: a.flag('json'),
    rate: a.num('rate', 10_000, { min: 1 }),
    factor: a.num('factor', 10, { min: 1 }),
    seconds: a.num('seconds', 60, { min: 1 }),
    afterS: a.num('after-s', 20, { min: 5 }),
    assets: a.num('assets', 100, { min: 1, integer: true }),
    signals: a.num('signals', 5, { min: 1, integer: true }),
    soakMin: a.num('soak', 0, { min: 0 }),
    soakRate: a.num('soak-rate', 10_000, { min: 1 }),
    url: a.str('url', 'mqtt://127.0.0.1:1883'),
  };
  const repo = join(import.meta.dirname, '../..');
  const dir = mkdtempSync(join(tmpdir(), 'es-flood-'));
  const tag = `flood${process.pid}${Math.random().toString(36).slice(2, 6)}`;
  const setup: AgentSetup = {
    url: o.url,
    plantPrefix: `${tag}-plant`,
    upPrefix: `${tag}-up`,
    stateDir: join(dir, 'state'),
    learnSamples: 300,
    explain: 'template',
    outboxSync: 'full',
  };
  const gen = spawnTs<ToGen, FromGen>('loadgen', join(import.meta.dirname, 'perf/loadgen.ts'), [
    o.url,
    setup.plantPrefix,
    String(o.assets),
    String(o.signals),
  ]);
  const listener = new BenchListener(o.url, setup.upPrefix, `${tag}-nr/alert`, `${tag}-nrctl`);
  const stop: Array<() => Promise<unknown>> = [() => gen.kill(), () => listener.stop()];
  try {
    await listener.start();
    await gen.next('ready', 30_000);
    const cli = snapshotCli(repo, join(dir, 'code'));
    const result = o.soakMin > 0 ? await soakRun(cli, dir, setup, gen, o) : await flood(cli, dir, setup, gen, listener, stop, o);
    const out = { bench: 'flood', ...result, workload: { assets: o.assets, signals: o.signals }, ...machine() };
    if (o.json) process.stdout.write(`${JSON.stringify(out)}\n`);
    else console.log(JSON.stringify(out, null, 2));
  } finally {
    for (const s of stop.reverse()) await s().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

type Opts = { rate: number; factor: number; seconds: number; afterS: number; assets: number; soakMin: number; soakRate: number };

async function soakRun(cli: string, dir: string, setup: AgentSetup, gen: Proc<ToGen, FromGen>, o: Opts): Promise<object> {
  say(`soak: ${o.soakMin} min at ${o.soakRate}/s, one spike a second, built CLI copy at ${cli}`);
  const r = await soak(cli, dir, setup, [], gen, o.soakRate, o.soakMin, 1000);
  // The criterion: the slope after the first 10 minutes (soak.ts's own figure skips the first fifth).
  const after = r.samples.filter(([m]) => m >= Math.min(10, o.soakMin / 2));
  const perHour = (i: 1 | 2): number => round(slope(after.map((s): [number, number] => [s[0] / 60, s[i]])), 1);
  const rss = after.map((s) => s[1]);
  say(`soak: RSS after 10 min ${Math.min(...rss)}–${Math.max(...rss)} MB, slope ${perHour(1)} MB/h (heap ${perHour(2)} MB/h)`);
  return {
    mode: 'soak',
    minutes: o.soakMin,
    rate: o.soakRate,
    rssSlopeMbPerHourAfter10Min: perHour(1),
    heapSlopeMbPerHourAfter10Min: perHour(2),
    rssMbMinAfter10Min: Math.min(...rss),
    rssMbMaxAfter10Min: Math.max(...rss),
    soak: r,
  };
}

async function flood(
  cli: string,
  dir: string,
  setup: AgentSetup,
  gen: Proc<ToGen, FromGen>,
  listener: BenchListener,
  stop: Array<() => Promise<unknown>>,
  o: Opts,
): Promise<object> {
  const port = await freePort();
  const cfg = agentConfig(setup);
  cfg.observe = { http: { enabled: true, port } };
  const file = join(dir, 'agent-flood.json');
  writeFileSync(file, JSON.stringify(cfg));
  const p = new Proc<{ type: 'none' }, { type: 'none' }>('cli', process.execPath, [cli, 'run', '--config', file]);
  stop.push(() => p.kill());
  const m = async (): Promise<Map<string, number>> => metrics(port).catch(() => new Map<string, number>());
  const run = (id: number, rate: number, ms: number, injectEveryMs: number) =>
    gen.request({ type: 'run', id, rate, ms, injectEveryMs }, 'done', ms + 120_000, (x) => x.id === id);
  // Learn: 5k/s until every asset detects.
  const t0 = Date.now();
  gen.send({ type: 'run', id: -1, rate: 5000, ms: 0, injectEveryMs: 0 });
  for (;;) {
    if (p.exited) throw new Error(`the CLI exited while learning:\n${p.lastOutput()}`);
    if (Date.now() - t0 > 180_000) throw new Error(`the assets did not all learn within 180 s:\n${p.lastOutput()}`);
    if (((await m()).get('edge_sentinel_asset_detecting') ?? 0) >= o.assets) break;
    await sleep(500);
  }
  await run(-2, 0, 1, 0);
  say(
    `flood: ${o.assets} assets learned in ${round((Date.now() - t0) / 1000, 1)} s; RSS before the flood ${rssSampler(p.pid).stop().peak} MB`,
  );
  await run(-3, o.rate, 5000, 1000);
  await sleep(2000); // what was in flight arrives before the baseline counters
  const before = await m();
  const rss = rssSampler(p.pid);
  const offered = o.rate * o.factor;
  say(`flood: ${offered}/s offered (${o.factor}× ${o.rate}/s) for ${o.seconds} s`);
  const done = await run(1, offered, o.seconds * 1000, 1000);
  const drainT = Date.now();
  // Drain: until samples_in stops moving (the socket and the broker's queue empty), at most 60 s.
  let last = -1;
  for (let cur = (await m()).get('edge_sentinel_samples_in_total') ?? 0; cur !== last && Date.now() - drainT < 60_000;) {
    last = cur;
    await sleep(1000);
    cur = (await m()).get('edge_sentinel_samples_in_total') ?? 0;
  }
  const drainMs = Date.now() - drainT - 1000;
  const mem = rss.stop();
  const during = await m();
  const d = (k: string, x = during, y = before): number => (x.get(k) ?? 0) - (y.get(k) ?? 0);
  const received = d('edge_sentinel_samples_in_total');
  say(
    `flood: published ${done.published} in ${done.ms} ms (${Math.round((done.published / done.ms) * 1000)}/s), received ${received}, RSS peak ${mem.peak} MB, drain ${drainMs} ms`,
  );
  // After: 1k/s with a spike a second; the agent must decide on time and alert.
  const alertsBefore = listener.alerts.length;
  const afterT = Date.now();
  const after = await run(2, 1000, o.afterS * 1000, 1000);
  await sleep(2000);
  const end = await m();
  const spikeAssets = new Set(after.injections.map(([t]) => t.split('/')[1]!));
  const alertedAssets = new Set(
    listener.alerts
      .slice(alertsBefore)
      .filter((x) => x.at >= afterT && x.from === 'agent')
      .map((x) => x.key),
  );
  const health = (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.json())) as { ok?: boolean };
  return {
    mode: 'flood',
    sustainableRate: o.rate,
    factor: o.factor,
    seconds: o.seconds,
    offeredPerS: offered,
    published: done.published,
    publishedPerS: Math.round((done.published / done.ms) * 1000),
    received,
    // QoS 0 beyond what the agent read: dropped by the broker or never read from the socket.
    notReceived: done.published - received,
    decisions: d('edge_sentinel_decisions_total'),
    decisionsShed: d('edge_sentinel_decisions_shed_total'),
    samplesShed: d('edge_sentinel_samples_shed_total'),
    rejected: d('edge_sentinel_rejected_samples_total'),
    deadlineMisses: d('edge_sentinel_deadline_misses_total'),
    rssMbMax: mem.peak,
    drainMs,
    after: {
      seconds: o.afterS,
      decisions: d('edge_sentinel_decisions_total', end, during),
      deadlineMisses: d('edge_sentinel_deadline_misses_total', end, during),
      spikedAssets: spikeAssets.size,
      alertedAssets: [...spikeAssets].filter((x) => alertedAssets.has(x)).length,
      healthOk: health.ok ?? false,
    },
  };
}

benchMain(main);
