/**
 * One rate step of the perf bench, the same for either consumer (the agent
 * or the Node-RED flow): warm up at the rate, reset the consumer's
 * histograms, publish for the step's duration with spikes injected, wait for
 * the consumer to drain, then read its figures, its CPU and RSS, and match
 * its alerts against the injected spikes. Plus the search for the highest
 * sustainable rate.
 */
import { matchAlerts, quantile, type BenchListener } from './listener.js';
import { cpuSeconds, rssSampler, runQueueWaitS, sleep, type Proc } from './procs.js';
import type { FromGen, LatencySnap, ToGen } from './protocol.js';

/** What a consumer reports at a point in time (cumulative counters, histograms since the last reset). */
export interface ConsumerSnap {
  samplesIn: number;
  deadlineMisses: number | null;
  /** Arrival → decision inside the consumer (null where it cannot be observed: Node-RED). */
  latency: LatencySnap | null;
  /** Publish → decision through the broker. */
  e2e: LatencySnap;
  meanBatch: number | null;
  /** Event-loop delay (perf_hooks.monitorEventLoopDelay) since the last reset: stalls of the loop itself. */
  loopDelay: LatencySnap | null;
  /** Garbage collections on the hot path's thread since start (agent only). */
  gc?: { minor: number; major: number; ms: number };
}

export interface Consumer {
  name: 'agent' | 'nodered';
  pid: number;
  reset(): Promise<void>;
  snap(): Promise<ConsumerSnap>;
}

/** Per-rate figures (latencies in µs). */
export interface RateResult {
  rate: number;
  published: number;
  achievedRate: number;
  lost: number;
  deadlineMisses: number | null;
  drainMs: number;
  p50Us: number | null;
  p99Us: number | null;
  p999Us: number | null;
  maxUs: number | null;
  e2eP50Us: number;
  e2eP99Us: number;
  e2eMaxUs: number;
  alertP50Us: number | null;
  alertP99Us: number | null;
  alertMaxUs: number | null;
  alerts: number;
  spikesWithoutAlert: number;
  meanBatch: number | null;
  cpuPct: number;
  /** The consumer's CPU time per sample published in the step, µs (all its threads). */
  cpuPerSampleUs: number;
  /** Minor GCs (scavenges) per second on the hot path's thread, and their pause per second, ms (agent only). */
  gcMinorPerS: number | null;
  gcMsPerS: number | null;
  /** CPU of the broker and of the load generator over the step (one core = 100): who else is busy. */
  brokerCpuPct: number | null;
  genCpuPct: number;
  /** Share of the step the consumer's main thread was runnable but waiting for a CPU (other processes). */
  runQueueWaitPct: number;
  loopDelayP99Us: number | null;
  loopDelayMaxUs: number | null;
  rssMb: number;
  /** No loss, drained within the grace, the generator kept its rate, no backlog (publish→decision median bounded), ≥ 80 % of spikes alerted within 3 s. */
  keptUp: boolean;
  /** Kept up and no deadline misses (the "sustainable"; Node-RED has no deadline, so there it equals keptUp). */
  sustained: boolean;
}

export interface StepOpts {
  gen: Proc<ToGen, FromGen>;
  listener: BenchListener;
  warmMs: number;
  ms: number;
  injectEveryMs: number;
  /** Longest the consumer may take after the last publish to have decided every sample. */
  drainGraceMs: number;
  /**
   * A publish→decision median above this means a backlog is building: not kept
   * up. The median, not the p99: a transient stall of a noisy box lifts the
   * tail only, a consumer slower than the offered rate lifts the whole curve.
   */
  backlogP50Us: number;
  /** The broker's pid when it runs on this box (0 = unknown). */
  brokerPid: number;
}

let runId = 0;

async function drain(c: Consumer, target: number, graceMs: number): Promise<{ snap: ConsumerSnap; ms: number }> {
  const t0 = performance.now();
  for (;;) {
    const s = await c.snap();
    const ms = performance.now() - t0;
    if (s.samplesIn >= target || ms > graceMs) return { snap: s, ms };
    await sleep(20);
  }
}

/** Waits until the consumer's sample count stops moving (a backlog from an overloaded step is gone), at most `ms`. */
async function settle(c: Consumer, ms: number): Promise<void> {
  const t0 = performance.now();
  let last = -1;
  for (;;) {
    const n = (await c.snap()).samplesIn;
    if (n === last || performance.now() - t0 > ms) return;
    last = n;
    await sleep(250);
  }
}

/** Runs one rate step against a consumer. */
export async function runStep(c: Consumer, rate: number, o: StepOpts): Promise<RateResult> {
  await settle(c, 30_000);
  if (o.warmMs > 0) {
    const w0 = await c.snap();
    const id = ++runId;
    const warm = await o.gen.request(
      { type: 'run', id, rate, ms: o.warmMs, injectEveryMs: 0 },
      'done',
      o.warmMs + 30_000,
      (m) => m.id === id,
    );
    await drain(c, w0.samplesIn + warm.published, o.drainGraceMs);
  }
  await c.reset();
  const s0 = await c.snap();
  const cpu0 = cpuSeconds(c.pid);
  const b0 = o.brokerPid ? cpuSeconds(o.brokerPid) : NaN;
  const g0 = cpuSeconds(o.gen.pid);
  const q0 = runQueueWaitS(c.pid);
  const t0 = performance.now();
  const rss = rssSampler(c.pid);
  const alertsBefore = o.listener.alerts.length;
  const id = ++runId;
  const done = await o.gen.request(
    { type: 'run', id, rate, ms: o.ms, injectEveryMs: o.injectEveryMs },
    'done',
    o.ms + 30_000,
    (m) => m.id === id,
  );
  const { snap: s1, ms: drainMs } = await drain(c, s0.samplesIn + done.published, o.drainGraceMs);
  const cpu1 = cpuSeconds(c.pid);
  const b1 = o.brokerPid ? cpuSeconds(o.brokerPid) : NaN;
  const g1 = cpuSeconds(o.gen.pid);
  const q1 = runQueueWaitS(c.pid);
  const wallS = (performance.now() - t0) / 1000;
  const mem = rss.stop();
  await sleep(300); // the last spikes' alerts are still on their way
  const alerts = o.listener.alerts.slice(alertsBefore);
  const m = matchAlerts(done.injections, alerts, c.name);
  const got = s1.samplesIn - s0.samplesIn;
  const lost = Math.max(0, done.published - got);
  const misses = s1.deadlineMisses === null || s0.deadlineMisses === null ? null : s1.deadlineMisses - s0.deadlineMisses;
  const r: RateResult = {
    rate,
    published: done.published,
    achievedRate: Math.round((done.published / done.ms) * 1000),
    lost,
    deadlineMisses: misses,
    drainMs: Math.round(drainMs),
    p50Us: s1.latency?.p50 ?? null,
    p99Us: s1.latency?.p99 ?? null,
    p999Us: s1.latency?.p999 ?? null,
    maxUs: s1.latency?.max ?? null,
    e2eP50Us: s1.e2e.p50,
    e2eP99Us: s1.e2e.p99,
    e2eMaxUs: s1.e2e.max,
    alertP50Us: m.us.length ? quantile(m.us, 0.5) : null,
    alertP99Us: m.us.length ? quantile(m.us, 0.99) : null,
    alertMaxUs: m.us.length ? m.us[m.us.length - 1]! : null,
    alerts: m.us.length,
    spikesWithoutAlert: m.missed,
    meanBatch: s1.meanBatch,
    cpuPct: pct(cpu1 - cpu0, wallS),
    cpuPerSampleUs: Math.round(((cpu1 - cpu0) * 1e6 * 100) / Math.max(1, done.published)) / 100,
    gcMinorPerS: s1.gc && s0.gc ? Math.round(((s1.gc.minor - s0.gc.minor) / wallS) * 10) / 10 : null,
    gcMsPerS: s1.gc && s0.gc ? Math.round(((s1.gc.ms - s0.gc.ms) / wallS) * 100) / 100 : null,
    brokerCpuPct: Number.isFinite(b1 - b0) ? pct(b1 - b0, wallS) : null,
    genCpuPct: pct(g1 - g0, wallS),
    runQueueWaitPct: pct(q1 - q0, wallS),
    loopDelayP99Us: s1.loopDelay?.p99 ?? null,
    loopDelayMaxUs: s1.loopDelay?.max ?? null,
    rssMb: mem.peak,
    keptUp: false,
    sustained: false,
  };
  // Alerts must still flow: a consumer that takes in every sample but whose alert output starves is not keeping up.
  const alertsFlow = done.injections.length === 0 || m.us.length >= 0.8 * done.injections.length;
  r.keptUp = lost === 0 && drainMs <= o.drainGraceMs && r.achievedRate >= rate * 0.95 && r.e2eP50Us <= o.backlogP50Us && alertsFlow;
  r.sustained = r.keptUp && (misses ?? 0) === 0;
  return r;
}

/**
 * Highest rate the consumer keeps up with (same criterion for the agent and
 * Node-RED), given the steps already run: between the highest such rate and
 * the lowest failing one above it, or — when every step
 * passed — stepping up by `factor` from `from` (to `cap`) until one fails;
 * then bisecting that bracket while it is wider than 15 % (at most 2 steps).
 * Every step run is appended to `out`.
 */
export async function searchMax(
  c: Consumer,
  out: RateResult[],
  from: number,
  factor: number,
  cap: number,
  o: StepOpts,
  log: (r: RateResult) => void,
): Promise<number> {
  const step = async (rate: number): Promise<boolean> => {
    const r = await runStep(c, rate, o);
    out.push(r);
    log(r);
    return r.keptUp;
  };
  let lo = Math.max(0, ...out.filter((r) => r.keptUp).map((r) => r.rate));
  let hi = Math.min(Infinity, ...out.filter((r) => !r.keptUp && r.rate > lo).map((r) => r.rate));
  if (!Number.isFinite(hi)) {
    for (let rate = Math.max(from, nice(lo * factor)); rate <= cap; rate = nice(rate * factor)) {
      if (!(await step(rate))) {
        hi = rate;
        break;
      }
      lo = rate;
    }
  }
  for (let i = 0; i < 2 && Number.isFinite(hi) && hi / Math.max(lo, 1) > 1.15; i++) {
    const mid = lo > 0 ? nice(Math.sqrt(lo * hi)) : nice(hi / 2);
    if (mid <= lo || mid >= hi) break;
    if (await step(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Rounds a rate to two significant digits (10k, 12k, 15k, …). */
function nice(x: number): number {
  const p = 10 ** Math.max(0, Math.floor(Math.log10(x)) - 1);
  return Math.round(x / p) * p;
}

const pct = (cpuS: number, wallS: number): number => Math.round((cpuS / wallS) * 1000) / 10;
