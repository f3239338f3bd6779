/**
 * Runs the real agent — the same config loading, controller and extensions as
 * `edge-sentinel run --config F` — in its own process, and answers the bench
 * over IPC with its counters and histograms. The only additions to what the
 * CLI runs: a `reset` command (so each rate step gets its own histogram) and a
 * publish→decision histogram fed from the payload timestamps (the generator
 * stamps the publish wall time; every process shares that clock).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfigFile } from '../../../agent/config/load.js';
import { Agent } from '../../../agent/controller.js';
import { defaultExtensions } from '../../../agent/extensions.js';
import { LatencyHistogram } from '../../../agent/observe/histogram.js';
import { createRootLogger } from '../../../agent/observe/logger.js';
import type { FromHost, HostSnap, ToHost } from './protocol.js';

const file = process.argv[2];
if (!file) throw new Error('usage: agent-host.ts CONFIG');
const send = (m: FromHost): void => {
  process.send?.(m);
};

const cfg = loadConfigFile(file);
const log = createRootLogger(cfg.log.level);
const agent = new Agent(cfg, log, defaultExtensions());
const e2e = new LatencyHistogram();
const wallOrigin = performance.timeOrigin;
let batchBase = 0;
// 10 ms: a 1 ms timer would itself wake the process 1000×/s and inflate its CPU and run-queue wait.
const LOOP_RES_MS = 10;
const loop = monitorEventLoopDelay({ resolution: LOOP_RES_MS });
loop.enable();
agent.bus.on('decision', (d) => {
  if (d.phase === 'detecting') e2e.record((wallOrigin + performance.now() - d.ts) * 1000);
});

const late = (ns: number): number => Math.max(0, ns / 1000 - LOOP_RES_MS * 1000);
const mb = (b: number): number => Math.round((b / 1048576) * 10) / 10;

function snap(): HostSnap {
  const s = agent.stats;
  const phases = agent.pipeline.phases();
  const mem = process.memoryUsage();
  const calls = s.modelCall.count;
  return {
    type: 'snap',
    samplesIn: s.samplesIn,
    messagesIn: s.messagesIn,
    decisions: s.decisions,
    modelDecisions: s.modelDecisions,
    fallbackDecisions: s.fallbackDecisions,
    deadlineMisses: s.deadlineMisses,
    rejected: s.rejected.late + s.rejected.duplicate + s.rejected.nonFinite + s.rejected.unknownSignal,
    decodeErrors: s.decodeErrors,
    anomalies: s.anomalies,
    detecting: phases.filter((p) => p.phase === 'detecting').length,
    assets: phases.length,
    firstDecisionAt: s.firstDecisionAt,
    latency: s.latency.snapshot(),
    e2e: e2e.snapshot(),
    modelCall: s.modelCall.snapshot(),
    meanBatch: calls ? (s.modelDecisions - batchBase) / calls : 0,
    // The histogram holds whole timer periods: minus the period, what is left is how late the loop was.
    loopDelay: {
      count: loop.count,
      p50: late(loop.percentile(50)),
      p99: late(loop.percentile(99)),
      p999: late(loop.percentile(99.9)),
      max: late(loop.max),
      mean: late(loop.mean),
    },
    rssMb: mb(mem.rss),
    heapUsedMb: mb(mem.heapUsed),
    gcMinor: s.gcMinor,
    gcMajor: s.gcMajor,
    gcMs: s.gcMs,
  };
}

process.on('message', (m: ToHost) => {
  if (m.type === 'snap') send(snap());
  else if (m.type === 'reset') {
    agent.stats.latency.reset();
    agent.stats.modelCall.reset();
    e2e.reset();
    loop.reset();
    batchBase = agent.stats.modelDecisions;
  } else if (m.type === 'stop') {
    agent
      .stop()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        send({ type: 'error', message: `stop failed: ${(err as Error).message}` });
        process.exit(1);
      });
  }
});
process.on('disconnect', () => process.exit(0));

const t0 = performance.now();
agent
  .start()
  .then(() => send({ type: 'ready', startMs: performance.now() - t0, httpPort: agent.httpPort }))
  .catch((err: unknown) => {
    send({ type: 'error', message: `agent failed to start: ${(err as Error).message}` });
    process.exit(1);
  });
