/**
 * The hot thread (docs/architecture.md, "Hot thread"): its own event loop,
 * heap and plant-broker connection, running socket read → decode → scan →
 * features → model step → fallback → watchdog → trip publish. Nothing of the
 * cold path (SQLite, the language model, the uplink, HTTP, history writes)
 * runs here, so none of it can stall a decision. Decisions and raw samples
 * leave in batches (ports.ts); counters and latency histograms are shared
 * memory (observe/stats.ts); baselines are saved by the main thread.
 */
// Before ONNX Runtime loads: no telemetry leaves the box.
import '../no-telemetry.js';
import { PerformanceObserver } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { TripUnit } from '../alerts/trips.js';
import { builtinCardPath } from '../detect/card.js';
import type { Baseline } from '../detect/baseline.js';
import { ModelRunner } from '../detect/model.js';
import { errMessage } from '../errors.js';
import { EventBus } from '../events.js';
import { MqttSource } from '../ingest/source.js';
import { AgentStats } from '../observe/stats.js';
import { Pipeline } from '../pipeline.js';
import { DecisionPort, poster, SampleForwarder } from './ports.js';
import { applySchedule, threadId } from './sched.js';
import type { HotInit, PhaseInfo, ToHot } from './protocol.js';

/** How often learning progress and the plant connection state are reported, ms. */
const REPORT_MS = 250;

const port = parentPort!;
const init = workerData as HotInit;
const cfg = init.config;
const post = poster(port);
// One root logger per process is the rule; this thread's lines go to the main thread's root logger.
const log = pino({ level: cfg.log.level, base: { module: 'hot' } }, { write: (line: string) => post({ type: 'log', line }) });
const stats = new AgentStats(init.stats);
const bus = new EventBus(log.child({ module: 'bus' }));
const runner = new ModelRunner(cfg.assets.defaults.modelCard ?? builtinCardPath(), cfg.detect, log.child({ module: 'model' }));
const saved = new Map<string, Baseline>(init.baselines.map((b) => [b.asset, b]));
const store = {
  get: (asset: string) => saved.get(asset),
  save: (b: Baseline) => {
    saved.set(b.asset, b);
    post({ type: 'baseline', baseline: b });
  },
  forget: (asset: string) => void saved.delete(asset),
};
let source: MqttSource | undefined;
const publish = (topic: string, payload: Buffer | Uint8Array, qos: 0 | 1): void => {
  source?.mqtt?.publish(topic, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), { qos });
};
const trips = new TripUnit(cfg.alerts, cfg.agent.site, (t, p, o) => publish(t, p, o?.qos ?? 1), stats, log.child({ module: 'trips' }));
const decisions = new DecisionPort(post, stats);
/** What the main thread was last told of the phases (report()). */
let lastPhases = '';
let reportedAssets = 0;
// Raw samples only when the main thread has a use for them (local history); set by 'connect'.
let samples: SampleForwarder | undefined;
const pipeline = new Pipeline(cfg, runner, store, bus, stats, log.child({ module: 'pipeline' }), {
  trips: trips.active ? trips : undefined,
  samples: (a, s, v, ts) => samples?.push(a, s, v, ts),
});
bus.on('decision', (d) => {
  decisions.push(d);
  // A new asset (or one dropped after a failed fit) is reported at once, not at the next REPORT_MS.
  if (pipeline.detectors.size !== reportedAssets) report();
});
bus.on('phase', (event) => post({ type: 'phase', event }));
bus.on('health', (event) => post({ type: 'health', event }));

/** What the main thread was last told of the Sparkplug nodes. */
let lastNodes = '';

/** Learning progress changes every scan: reported every REPORT_MS when it changed, not per scan. */
function report(): void {
  const nodes = source?.sparkplugNodes() ?? [];
  const nodesKey = JSON.stringify(nodes);
  if (nodesKey !== lastNodes) {
    lastNodes = nodesKey;
    post({ type: 'sparkplug', nodes });
  }
  const phases: PhaseInfo[] = pipeline.phases();
  reportedAssets = phases.length;
  const key = phases.map((p) => `${p.asset}:${p.phase}:${p.samples}`).join('|');
  if (key === lastPhases) return;
  lastPhases = key;
  post({ type: 'phases', phases });
}
const reporter = setInterval(report, REPORT_MS);

// Garbage collections on this thread, for the allocation figures (docs/performance.md): counted, not logged.
const gc = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    // NODE_PERFORMANCE_GC_MINOR = 1 (scavenge); the rest (mark-sweep, incremental, weak callbacks) count as major.
    if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === 1) stats.gcMinor++;
    else stats.gcMajor++;
    stats.gcMs += e.duration;
  }
});
gc.observe({ entryTypes: ['gc'] });

port.on('message', (m: ToHot) => {
  if (m.type === 'connect') void connect(m.samples);
  else if (m.type === 'refit') pipeline.refit(m.asset);
  else if (m.type === 'publish') publish(m.topic, m.payload, m.qos);
  else if (m.type === 'stop') void stop();
});

async function load(): Promise<void> {
  const tid = threadId();
  let schedule: string | null = null;
  const s = cfg.detect.schedule;
  // Before the model loads: threads ONNX Runtime creates inherit this thread's policy and affinity.
  if (s.policy !== 'other' || s.cpus !== undefined) {
    try {
      schedule = await applySchedule(tid, s);
      log.info({ tid, schedule }, 'hot thread scheduling applied');
    } catch (err) {
      log.warn(
        { tid, err: errMessage(err) },
        'detect.schedule not applied (needs chrt/taskset and, unprivileged, LimitRTPRIO= and RestrictRealtime=no); deciding at normal priority',
      );
    }
  }
  await runner.start();
  post({ type: 'loaded', modelLabel: runner.id, tid, schedule });
}

async function connect(wantSamples: boolean): Promise<void> {
  if (wantSamples) samples = new SampleForwarder(post, stats);
  source = new MqttSource(cfg.plant.broker, cfg.plant.subscriptions, pipeline, stats, log.child({ module: 'ingest' }), cfg.log.rateLimitMs);
  source.onConnection = (e) => post({ type: 'connection', event: e.type, message: e.type === 'error' ? errMessage(e.err) : undefined });
  source.onStale = (assets, lastSeen) => {
    post({ type: 'stale', event: { assets, reason: 'node_death', lastSeen } });
    // A death changes what /healthz says of the node: at once, not at the next report.
    report();
  };
  await source.start();
  report();
  post({ type: 'ready' });
}

async function stop(): Promise<void> {
  clearInterval(reporter);
  gc.disconnect();
  // A clean stop is not an outage: no connection events while closing.
  if (source) source.onConnection = undefined;
  await source?.stop().catch((err: unknown) => log.warn({ err: errMessage(err) }, 'plant source stop failed'));
  await pipeline.stop();
  decisions.flush();
  samples?.flush();
  report();
  await runner.stop();
  post({ type: 'stopped' });
  port.close();
}

load().catch((err: unknown) => {
  // The main thread sees the worker's 'error' event with this error (start-up fails with it).
  throw err;
});
