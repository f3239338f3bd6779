/**
 * The agent's own per-sample cost, without the broker: the real Agent (same
 * config as the broker runs), fed flat out through MqttSource.onMessage —
 * the exact entry point the MQTT client calls — in chunks of 50 messages per
 * macrotask, so ONNX Runtime batches run between chunks as they would
 * between socket reads. Figures are immune to broker and generator
 * contention, so this is the measure used for before/after comparisons.
 * Prints one JSON line: {samplesPerSecond, usPerSample, p50Us, p99Us, p999Us, deadlineMisses, meanBatch}.
 * Usage: tsx inproc.ts CONFIG PREFIX ASSETS SIGNALS SECONDS
 */
import { parseConfig } from '../../../agent/config/load.js';
import { Agent } from '../../../agent/controller.js';
import { defaultExtensions } from '../../../agent/extensions.js';
import type { InlineHot } from '../../../agent/hot/inline.js';
import { createRootLogger } from '../../../agent/observe/logger.js';
import { readFileSync } from 'node:fs';

const [file = '', prefix = 'perf', nA = '100', nS = '5', secs = '5'] = process.argv.slice(2);
const A = Number(nA);
const M = Number(nS);
const parsed = parseConfig(JSON.parse(readFileSync(file, 'utf8')));
// In process (the hot path in this event loop): the entry point is called directly, with no thread between.
const cfg = { ...parsed, detect: { ...parsed.detect, isolation: 'inline' as const } };
const agent = new Agent(cfg, createRootLogger(cfg.log.level), defaultExtensions());
const topics: string[] = [];
for (let a = 0; a < A; a++) for (let s = 0; s < M; s++) topics.push(`${prefix}/a${a}/s${s}`);
let k = 0;
let ts = Date.now();
/** The next message: a noisy value around a per-signal level, ts advancing 10 µs per message. */
function next(): [string, Buffer] {
  const i = k++ % topics.length;
  ts += 0.01;
  const v = 50 + (i % 7) + Math.sin(k * 0.001) + (Math.random() - 0.5) * 0.5;
  return [topics[i]!, Buffer.from(`{"value":${Math.round(v * 1000) / 1000},"ts":${ts}}`)];
}

/** Feeds for `ms`, 50 messages per macrotask; resolves with the count. */
function feed(ms: number, drive: boolean): Promise<number> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let n = 0;
    const chunk = (): void => {
      for (let c = 0; c < 50; c++) {
        const [t, b] = next();
        if (drive) hot.source.onMessage(t, b, performance.now());
        n++;
      }
      if (performance.now() - t0 < ms) setImmediate(chunk);
      else resolve(n);
    };
    chunk();
  });
}

await agent.start();
const hot = agent.hot as InlineHot;
// Learn (every asset to detecting), then warm the JIT, then measure.
while (agent.pipeline.phases().filter((p) => p.phase === 'detecting').length < A) {
  await feed(200, true);
  await hot.pipeline.flush();
}
await feed(1000, true);
await hot.pipeline.flush();
const gen = await feed(1000, false); // the generator's own cost, subtracted below
const s = agent.stats;
s.latency.reset();
s.modelCall.reset();
const m0 = s.deadlineMisses;
const d0 = s.modelDecisions;
const dec0 = s.decisions;
const r0 = s.rejected.late + s.rejected.duplicate + s.rejected.nonFinite + s.rejected.unknownSignal + s.decodeErrors + s.unmapped;
const t0 = performance.now();
const n = await feed(Number(secs) * 1000, true);
await hot.pipeline.flush();
const el = (performance.now() - t0) / 1000;
const usPerSample = (el * 1e6) / n - 1e6 / gen;
const lat = s.latency.snapshot();
console.log(
  JSON.stringify({
    samplesPerSecond: Math.round(1e6 / usPerSample),
    usPerSample: Math.round(usPerSample * 100) / 100,
    p50Us: lat.p50,
    p99Us: lat.p99,
    p999Us: lat.p999,
    deadlineMisses: s.deadlineMisses - m0,
    // Every scan (one value of each of the asset's signals) must become a decision, or the figure is not of the full path.
    decided: s.decisions - dec0,
    scans: Math.floor(n / M),
    fed: n,
    rejected: s.rejected.late + s.rejected.duplicate + s.rejected.nonFinite + s.rejected.unknownSignal + s.decodeErrors + s.unmapped - r0,
    meanBatch: Math.round(((s.modelDecisions - d0) / Math.max(1, s.modelCall.count)) * 10) / 10,
  }),
);
await agent.stop();
process.exit(0);
