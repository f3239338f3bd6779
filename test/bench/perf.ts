/**
 * `npm run bench:perf -- [--json] [--quick] [--soak MINUTES] [--no-node-red] [--contend] ...` (`--help` lists every flag)
 *
 * Hot-path latency, throughput and footprint of the agent against the real
 * Mosquitto, side by side with a Node-RED 4 flow doing the equivalent work,
 * in the same run. Three processes besides the broker: the load generator,
 * the agent (or Node-RED), and this orchestrator (idle while load runs; it
 * receives the alerts). See docs/performance.md for what the figures mean.
 * With --json the last line of stdout is one JSON object.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinModelDir } from '../../agent/explain/explainer.js';
import { machine, round } from './lib/common.js';
import { AgentProc, agentConfig, type AgentSetup } from './perf/agent.js';
import { BenchListener } from './perf/listener.js';
import { NodeRedConsumer, nodeRedFlow, startNodeRed } from './perf/nodered.js';
import { BenchUsageError } from './lib/args.js';
import { chrt, profileSchedule, startHog } from './perf/contend.js';
import { perfOptions, type PerfOptions } from './perf/options.js';
import { brokerPid, Proc, spawnTs, wall, sleep } from './perf/procs.js';
import type { FromGen, ToGen } from './perf/protocol.js';
import { soak, type SoakResult } from './perf/soak.js';
import { builtCli, cliRun } from './perf/startup.js';
import { runStep, searchMax, type Consumer, type RateResult, type StepOpts } from './perf/steps.js';

let o: PerfOptions;
try {
  o = perfOptions(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof BenchUsageError)) throw err;
  process.stderr.write(`${err.message}\n\n${err.usage}\n`);
  process.exit(2);
}
const say = (s: string): void => {
  // Progress goes to stderr so that stdout's last line stays the JSON object.
  process.stderr.write(`${s}\n`);
};
const fmt = (us: number | null): string => (us === null ? '–' : us >= 1000 ? `${(us / 1000).toFixed(2)}ms` : `${Math.round(us)}µs`);
const line = (who: string, r: RateResult): void =>
  say(
    `  ${who} ${String(r.rate).padStart(7)}/s ${r.sustained ? 'ok  ' : r.keptUp ? 'kept' : 'FAIL'} lost ${r.lost} miss ${r.deadlineMisses ?? '–'} drain ${r.drainMs}ms | ` +
      `arr→dec p50 ${fmt(r.p50Us)} p99 ${fmt(r.p99Us)} p99.9 ${fmt(r.p999Us)} max ${fmt(r.maxUs)} | pub→dec p99 ${fmt(r.e2eP99Us)} | ` +
      `pub→alert p50 ${fmt(r.alertP50Us)} p99 ${fmt(r.alertP99Us)} (${r.alerts} alerts, ${r.spikesWithoutAlert} spikes unalerted) | batch ${r.meanBatch ?? '–'} | loop delay p99 ${fmt(r.loopDelayP99Us)} max ${fmt(r.loopDelayMaxUs)} | runq wait ${r.runQueueWaitPct}% | cpu ${r.cpuPct}% (broker ${r.brokerCpuPct ?? '–'}%, gen ${r.genCpuPct}%) rss ${r.rssMb}MB`,
  );

const dir = mkdtempSync(join(tmpdir(), 'es-perf-'));
const tag = `perf${process.pid}${Math.random().toString(36).slice(2, 6)}`;
const plantPrefix = `${tag}-plant`;
const listener = new BenchListener(o.url, `${tag}-up`, `${tag}-nr/alert`, `${tag}-nrctl`);
const gen = spawnTs<ToGen, FromGen>('loadgen', join(import.meta.dirname, 'perf/loadgen.ts'), [
  o.url,
  plantPrefix,
  String(o.assets),
  String(o.signals),
]);
const setup: AgentSetup = {
  url: o.url,
  plantPrefix,
  upPrefix: `${tag}-up`,
  stateDir: join(dir, 'state'),
  learnSamples: o.learnSamples,
  explain: 'template',
  outboxSync: o.outboxSync,
};
const stepOpts: StepOpts = {
  gen,
  listener,
  warmMs: o.warmMs,
  ms: o.stepMs,
  injectEveryMs: o.injectEveryMs,
  drainGraceMs: o.drainGraceMs,
  backlogP50Us: o.backlogP50Us,
  brokerPid: brokerPid(),
};
const stoppers: Array<() => Promise<void>> = [];

/** Streams load until `until` resolves (learning, start-up). */
async function streamWhile<T>(rate: number, until: Promise<T>): Promise<T> {
  gen.send({ type: 'run', id: -1, rate, ms: 0, injectEveryMs: 0 });
  try {
    return await until;
  } finally {
    await gen.request({ type: 'run', id: -2, rate: 0, ms: 1, injectEveryMs: 0 }, 'done', 30_000, (m) => m.id === -2);
  }
}

/** Fixed rates, then the search. `max`: highest rate kept up with; `strictMax`: highest with no deadline miss either. */
async function fixedAndSearch(
  c: Consumer,
  rates: number[],
  from: number,
  factor: number,
  who: string,
): Promise<{ rates: RateResult[]; max: number; strictMax: number }> {
  const out: RateResult[] = [];
  for (const rate of rates) {
    const r = await runStep(c, rate, stepOpts);
    out.push(r);
    line(who, r);
  }
  const max =
    from > 0
      ? await searchMax(c, out, from, factor, o.searchCap, stepOpts, (r) => line(who, r))
      : Math.max(0, ...out.filter((r) => r.keptUp).map((r) => r.rate));
  return { rates: out, max, strictMax: Math.max(0, ...out.filter((r) => r.sustained).map((r) => r.rate)) };
}

async function agentPhase(): Promise<{ rates: RateResult[]; max: number; strictMax: number }> {
  say(`agent: ${o.assets} assets × ${o.signals} signals, learning ${o.learnSamples} samples per asset`);
  const a = new AgentProc(
    dir,
    setup,
    'main',
    [...o.agentNodeArgs, ...(o.profDir ? ['--cpu-prof', '--cpu-prof-dir', o.profDir] : [])],
    o.nice,
  );
  stoppers.push(() => a.stop());
  await a.ready();
  await streamWhile(Math.min(5000, o.footprintRate), a.learned(o.assets, 120_000));
  const res = await fixedAndSearch(a, o.rateList ?? o.rates, o.agentOnly ? 0 : o.searchFrom, o.searchFactor, 'agent');
  await a.stop();
  return res;
}

/** A fresh agent on the learned state: start-up to first decision, then footprint at the footprint rate. */
async function footprint(explain: 'template' | 'lm'): Promise<{ startupMs: number; readyMs: number; r: RateResult }> {
  const t0 = wall();
  const a = new AgentProc(dir, { ...setup, explain }, explain, o.agentNodeArgs, o.nice);
  stoppers.push(() => a.stop());
  const first = (async () => {
    await a.ready();
    for (;;) {
      const s = await a.raw();
      if (s.firstDecisionAt > 0) return s.firstDecisionAt;
      await sleep(5);
    }
  })();
  const at = await streamWhile(1000, first);
  const r = await runStep(a, o.footprintRate, stepOpts);
  line(`agent(${explain})`, r);
  await a.stop();
  return { startupMs: Math.round(at - t0), readyMs: Math.round(a.startMs), r };
}

async function nodeRedPhase(): Promise<{ rates: RateResult[]; max: number; strictMax: number } | undefined> {
  if (!o.nodeRed) return undefined;
  const p = await startNodeRed(join(dir, 'node-red'), nodeRedFlow(o.url, plantPrefix, listener.nrAlert, listener.nrCtl), o.nice);
  stoppers.push(() => p.kill());
  const nr = new NodeRedConsumer(p, listener);
  await nr.ready();
  say('node-red: flow deployed');
  // Warm-up: enough samples per topic for the function node's z-score to start (n > 20).
  await gen.request({ type: 'run', id: -3, rate: 5000, ms: o.quick ? 500 : 5000, injectEveryMs: 0 }, 'done', 60_000, (m) => m.id === -3);
  const res = await fixedAndSearch(nr, o.nodeRedRates, o.nrSearchFrom, o.nrSearchFactor, 'node-red');
  await p.kill();
  return res;
}

/** The agent's per-sample cost without the broker (perf/inproc.ts), in its own process. */
async function inProcess(): Promise<Record<string, number> | null> {
  if (o.inprocS <= 0) return null;
  const file = join(dir, 'agent-inproc.json');
  writeFileSync(file, JSON.stringify(agentConfig({ ...setup, plantPrefix: `${tag}-inproc`, stateDir: join(dir, 'state-inproc') })));
  const p = new Proc('inproc', process.execPath, [
    ...o.agentNodeArgs,
    '--import',
    'tsx',
    join(import.meta.dirname, 'perf/inproc.ts'),
    file,
    `${tag}-inproc`,
    String(o.assets),
    String(o.signals),
    String(o.inprocS),
  ]);
  const code = await new Promise<number | null>((r) => p.child.once('exit', (c) => r(c)));
  const last = p
    .lastOutput()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{"samplesPerSecond"'));
  if (code !== 0 || !last) throw new Error(`in-process run failed (${code}):\n${p.lastOutput()}`);
  const r = JSON.parse(last) as Record<string, number>;
  say(
    `agent in-process (no broker, flat out on one core): ${r['samplesPerSecond']}/s, ${r['usPerSample']} µs/sample, p99 ${fmt(r['p99Us'] ?? null)}, misses ${r['deadlineMisses']}, batch ${r['meanBatch']}`,
  );
  return r;
}

/** One consumer's step at `rate` with a CPU hog on every core (the hog starts after its warm-up is done). */
async function hogged(c: Consumer, rate: number): Promise<RateResult> {
  const hog = startHog();
  try {
    return await runStep(c, rate, { ...stepOpts, warmMs: 0 });
  } finally {
    hog.stop();
  }
}

interface ContendedVariant {
  agent: RateResult;
  nodeRed: RateResult | null;
}

/**
 * `--contend`: the 10k/s step with a CPU hog on every core, for the agent and Node-RED, first with no
 * scheduling (nice as --nice), then with the profile's (the agent: its nice and its hot thread's
 * detect.schedule; Node-RED: the same nice and the same policy on its main thread). The agent runs on the
 * learned state of the main run, so it detects from its first sample.
 */
async function contendedPhase(): Promise<{
  profile: string;
  hogs: number;
  rate: number;
  none: ContendedVariant;
  profiled: ContendedVariant;
} | null> {
  if (!o.contend) return null;
  const prof = profileSchedule(join(import.meta.dirname, '../..'), o.profile);
  // --quick: the tiny workload's 1k/s (the fields keep their names; `contended.rate` says which).
  const rate = o.quick ? 1000 : 10_000;
  say(
    `contended: a CPU hog on each of ${cpus().length} cores at nice 0; profile ${prof.profile}: nice ${prof.nice}, hot thread ${JSON.stringify(prof.schedule)}`,
  );
  const run = async (variant: 'none' | 'profile'): Promise<ContendedVariant> => {
    const nice = variant === 'profile' ? prof.nice : o.nice;
    const schedule = variant === 'profile' ? prof.schedule : undefined;
    const a = new AgentProc(dir, { ...setup, schedule }, `contend-${variant}`, o.agentNodeArgs, nice);
    stoppers.push(() => a.stop());
    await a.ready();
    await streamWhile(1000, a.learned(o.assets, 120_000));
    await runStep(a, rate, stepOpts); // warm at the rate, unhogged
    const ra = await hogged(a, rate);
    line(`agent[hog, ${variant}]`, ra);
    await a.stop();
    let rn: RateResult | null = null;
    if (o.nodeRed) {
      const p = await startNodeRed(
        join(dir, `node-red-${variant}`),
        nodeRedFlow(o.url, plantPrefix, listener.nrAlert, listener.nrCtl),
        nice,
      );
      stoppers.push(() => p.kill());
      if (schedule) chrt(p.pid, schedule);
      const nr = new NodeRedConsumer(p, listener);
      await nr.ready();
      await gen.request(
        { type: 'run', id: -4, rate: 5000, ms: o.quick ? 500 : 5000, injectEveryMs: 0 },
        'done',
        60_000,
        (m) => m.id === -4,
      );
      await runStep(nr, rate, stepOpts);
      rn = await hogged(nr, rate);
      line(`node-red[hog, ${variant}]`, rn);
      await p.kill();
    }
    return { agent: ra, nodeRed: rn };
  };
  const none = await run('none');
  const profiled = await run('profile');
  return { profile: prof.profile, hogs: cpus().length, rate, none, profiled };
}

async function main(): Promise<void> {
  await listener.start();
  stoppers.push(() => listener.stop());
  stoppers.push(() => gen.kill());
  await gen.next('ready', 30_000);
  const agent = await agentPhase();
  const inproc = await inProcess();
  const cli = o.agentOnly ? undefined : builtCli(join(import.meta.dirname, '../..'));
  const lmAvailable = existsSync(join(builtinModelDir(), 'onnx', 'model.onnx'));
  if (!lmAvailable) say(`agent: no language model at ${builtinModelDir()}; rssMbWithLm is null`);
  let tpl: { startupMs: number; rssMb: number } | undefined;
  let lm: { startupMs: number; rssMb: number } | undefined;
  let agentStartMs: number | null = null;
  if (cli) {
    // What users run: the built CLI (no tsx loader in the process).
    tpl = await cliRun(cli, dir, setup, gen, o.footprintRate, o.stepMs, o.injectEveryMs, o.agentNodeArgs);
    say(`agent (built CLI, template): start-up to first decision ${tpl.startupMs} ms, RSS ${tpl.rssMb} MB at ${o.footprintRate}/s`);
    if (lmAvailable) {
      lm = await cliRun(cli, dir, { ...setup, explain: 'lm' }, gen, o.footprintRate, o.stepMs, o.injectEveryMs, o.agentNodeArgs);
      say(`agent (built CLI, lm): start-up to first decision ${lm.startupMs} ms, RSS ${lm.rssMb} MB at ${o.footprintRate}/s`);
    }
  } else if (!o.agentOnly) {
    say('agent: no dist/ (run npm run build): start-up and RSS measured on the tsx host, which adds ~30 MB and transpiling time');
    const f = await footprint('template');
    tpl = { startupMs: f.startupMs, rssMb: f.r.rssMb };
    agentStartMs = f.readyMs;
    if (lmAvailable) {
      const g = await footprint('lm');
      lm = { startupMs: g.startupMs, rssMb: g.r.rssMb };
    }
  }
  const nr = o.agentOnly ? undefined : await nodeRedPhase();
  const cont = await contendedPhase();
  let soakRes: SoakResult | undefined;
  if (o.soakMin > 0) {
    say(
      `agent: soak ${o.soakMin} min at ${o.footprintRate}/s (${(cli ?? builtCli(join(import.meta.dirname, '../..'))) ? 'built CLI' : 'tsx host'})`,
    );
    soakRes = await soak(
      cli ?? builtCli(join(import.meta.dirname, '../..')),
      dir,
      setup,
      o.agentNodeArgs,
      gen,
      o.footprintRate,
      o.soakMin,
      1000,
    );
    say(
      `agent: soak RSS ${soakRes.rssStartMb} → ${soakRes.rssEndMb} MB (${soakRes.rssSlopeMbPerHour} MB/h), heap ${soakRes.heapStartMb} → ${soakRes.heapEndMb} MB (${soakRes.heapSlopeMbPerHour} MB/h), misses ${soakRes.deadlineMisses} of ${soakRes.decisions}`,
    );
  }
  const target = agent.rates.find((r) => r.rate >= 10_000) ?? agent.rates[agent.rates.length - 1]!;
  const nrTarget = nr?.rates.find((r) => r.rate === target.rate) ?? nr?.rates[nr.rates.length - 1];
  const at = (rs: RateResult[] | undefined, rate: number): RateResult | undefined => rs?.find((r) => r.rate === rate);
  const [a1k, a10k, n1k, n10k] = [at(agent.rates, 1000), at(agent.rates, 10_000), at(nr?.rates, 1000), at(nr?.rates, 10_000)];
  // What users run (the built CLI, no tsx loader) when the footprint run was at 10k/s; else the bench's own host.
  const rssMbAt10k = tpl && o.footprintRate === 10_000 ? tpl.rssMb : (a10k?.rssMb ?? null);
  const ratio = (x: number | null | undefined, y: number | null | undefined, d = 2): number | null =>
    x !== null && x !== undefined && y ? round(x / y, d) : null;
  const result = {
    bench: 'perf',
    // The criterion: no loss, no backlog and no deadline miss, over every rate stepped.
    maxSamplesPerSecond: agent.strictMax,
    // No loss and no backlog (misses allowed, and counted per rate): the criterion Node-RED is held to.
    maxKeptUpSamplesPerSecond: agent.max,
    targetRate: target.rate,
    p50Us: target.p50Us,
    p99Us: target.p99Us,
    p999Us: target.p999Us,
    maxUs: target.maxUs,
    deadlineMisses: target.deadlineMisses,
    lost: target.lost,
    e2eP99Us: target.e2eP99Us,
    alertP99Us: target.alertP99Us,
    rssMb: tpl?.rssMb ?? null,
    rssMbWithLm: lm?.rssMb ?? null,
    // The built CLI when dist/ exists (what users run); else the tsx host, which adds TypeScript transpiling to start-up.
    startupMs: tpl?.startupMs ?? null,
    startupWithLmMs: lm?.startupMs ?? null,
    footprintVia: cli ? 'dist-cli' : 'tsx-host',
    agentStartMs,
    nodeRed:
      nr && nrTarget
        ? {
            maxSamplesPerSecond: nr.max,
            p99Us: nrTarget.e2eP99Us,
            alertP99Us: nrTarget.alertP99Us,
            rssMb: Math.max(...nr.rates.filter((r) => r.keptUp).map((r) => r.rssMb), 0),
            cpuPerSampleUsAt1k: n1k?.cpuPerSampleUs ?? null,
            rssMbAt10k: n10k?.rssMb ?? null,
            rates: nr.rates,
          }
        : null,
    // Like for like: the highest rate each kept up with (no loss, no backlog).
    throughputRatio: nr && nr.max > 0 ? round(agent.max / nr.max, 2) : null,
    // Like for like: publish→decision through the broker, both measured from the payload timestamp.
    p99Ratio: nrTarget && nrTarget.e2eP99Us > 0 ? round(target.e2eP99Us / nrTarget.e2eP99Us, 3) : null,
    // Issue #12's contract: deadline misses (5 ms) at 1k and 10k/s, p99.9 at 10k/s (scan close → decision, µs).
    missesAt1k: a1k?.deadlineMisses ?? null,
    missesAt10k: a10k?.deadlineMisses ?? null,
    p999UsAt10k: a10k?.p999Us ?? null,
    // CPU time per sample published at 1k/s, µs (all threads of the process), and the agent / Node-RED ratio.
    cpuPerSampleUsAt1k: a1k?.cpuPerSampleUs ?? null,
    cpuRatioAt1k: ratio(a1k?.cpuPerSampleUs, n1k?.cpuPerSampleUs, 3),
    rssMbAt10k,
    rssRatio: ratio(rssMbAt10k, n10k?.rssMb, 3),
    // Minor GCs per second on the hot thread at 10k/s (allocation on the hot path; docs/performance.md).
    gcMinorPerSAt10k: a10k?.gcMinorPerS ?? null,
    contended: cont
      ? {
          profile: cont.profile,
          hogs: cont.hogs,
          rate: cont.rate,
          // With the profile's scheduling (what the hardware profiles ship).
          missesAt10k: cont.profiled.agent.deadlineMisses,
          p99UsAt10k: cont.profiled.agent.p99Us,
          e2eP99UsAt10k: cont.profiled.agent.e2eP99Us,
          nodeRedP99UsAt10k: cont.profiled.nodeRed?.e2eP99Us ?? null,
          keptUp: cont.profiled.agent.keptUp,
          nodeRedKeptUp: cont.profiled.nodeRed?.keptUp ?? null,
          // The same hog, no scheduling.
          without: {
            missesAt10k: cont.none.agent.deadlineMisses,
            p99UsAt10k: cont.none.agent.p99Us,
            e2eP99UsAt10k: cont.none.agent.e2eP99Us,
            nodeRedP99UsAt10k: cont.none.nodeRed?.e2eP99Us ?? null,
            keptUp: cont.none.agent.keptUp,
            nodeRedKeptUp: cont.none.nodeRed?.keptUp ?? null,
          },
          rates: { none: cont.none, profile: cont.profiled },
        }
      : null,
    rates: agent.rates,
    inProcess: inproc,
    rssSlopeMbPerHour: soakRes ? soakRes.rssSlopeMbPerHour : null,
    soak: soakRes ?? null,
    workload: {
      assets: o.assets,
      signals: o.signals,
      stepS: o.stepMs / 1000,
      injectEveryMs: o.injectEveryMs,
      quick: o.quick,
      nice: o.nice,
      outboxSync: o.outboxSync,
      agentNodeArgs: o.agentNodeArgs.join(' '),
      contend: o.contend,
    },
    ...machine(),
  };
  say(
    `agent max ${agent.strictMax}/s with no miss, kept up to ${agent.max}/s, node-red max ${nr?.max ?? '–'}/s, throughput ratio ${result.throughputRatio ?? '–'}, p99 ratio ${result.p99Ratio ?? '–'}`,
  );
  if (o.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else console.log(JSON.stringify(result, null, 2));
}

let code = 0;
try {
  await main();
} catch (err) {
  say(`bench:perf failed: ${(err as Error).stack ?? String(err)}`);
  code = 1;
} finally {
  for (const s of stoppers.reverse()) await s().catch((err: unknown) => say(`cleanup: ${(err as Error).message}`));
  rmSync(dir, { recursive: true, force: true });
}
process.exit(code);
