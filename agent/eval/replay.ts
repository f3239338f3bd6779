/**
 * Replay harness: feeds a recorded series sample by sample, in order, through
 * the exact classes the daemon uses (Pipeline → AssetDetector → ModelRunner
 * (ONNX Runtime) → SPOT thresholds → diagnosis), with no MQTT. A row is only
 * ingested after every earlier row has been decided, so a detector can never
 * see a sample before its time; nothing looks at the whole file (no min/max).
 *
 * The benches (test/bench/nab.ts, test/bench/skab.ts) and the HTML replay
 * report use this API; see docs/detection.md.
 */
import { performance } from 'node:perf_hooks';
import pino, { type Logger } from 'pino';
import { parseConfig } from '../config/load.js';
import type { ConfigInput } from '../config/schema.js';
import { builtinCardPath } from '../detect/card.js';
import { AssetDetector, DETECTOR_PROFILES, type DetectorOptions } from '../detect/detector.js';
import { ModelRunner } from '../detect/model.js';
import { EventBus } from '../events.js';
import { AgentStats } from '../observe/stats.js';
import { Pipeline } from '../pipeline.js';
import type { Decision } from '../types.js';

/** A recorded multivariate series: row timestamps (ms) and one value array per signal, row for row. */
export interface ReplaySeries {
  ts: ArrayLike<number>;
  signals: Record<string, ArrayLike<number>>;
}

/** How to replay one series. */
export interface ReplayOptions {
  /** Rows of the learning phase (NAB: its probation; SKAB: 400). */
  learnRows: number;
  /** A started runner to share between series (saves loading the model per file); default: a fresh built-in one. */
  runner?: ModelRunner;
  /** Extra config (the same for a whole benchmark); `assets.defaults.learnSamples` is set from learnRows. */
  config?: ConfigInput;
  /** Asset name used for the series (default "replay"). */
  asset?: string;
  /** Overrides of the detector options of the configured episode profile (default: none). */
  detector?: Partial<DetectorOptions>;
  log?: Logger;
}

/** What a replay produced, one entry per row. */
export interface ReplayResult {
  /** The decision of each row (for multi-signal rows, the one made after the row's last signal). */
  decisions: Decision[];
  /** Streaming anomaly score in [0, 1) per row: 0 while learning, else normalisedScore(decision). */
  anomaly: Float64Array;
  /** The agent's own decision per row (1 = anomalous), with its learned thresholds. */
  detections: Uint8Array;
  /** Wall time per row from first ingest to decision, µs. */
  micros: Float64Array;
  modelDecisions: number;
  fallbackDecisions: number;
  deadlineMisses: number;
}

/**
 * The score a sweep-based scorer (NAB) sees: the decision's score over its
 * learned threshold, squashed to [0, 1) so that 0.5 is exactly the agent's own
 * alarm level. Uses only this decision: streaming, no lookahead.
 */
export function normalisedScore(d: Decision): number {
  if (d.phase !== 'detecting' || !(d.threshold > 0) || !Number.isFinite(d.score)) return 0;
  const r = Math.max(0, d.score) / d.threshold;
  return r / (1 + r);
}

const silent = pino({ level: 'silent' });

/** Starts the built-in detector model (or the one a card names) for replays. */
export async function openReplayRunner(cardPath: string = builtinCardPath(), log: Logger = silent): Promise<ModelRunner> {
  const r = new ModelRunner(cardPath, { threads: 1, executionProviders: ['cpu'] }, log);
  await r.start();
  return r;
}

/** Replays one series through a fresh Pipeline; see the file comment. */
export async function replaySeries(series: ReplaySeries, opts: ReplayOptions): Promise<ReplayResult> {
  const names = Object.keys(series.signals);
  const cols = names.map((n) => series.signals[n]!);
  const n = series.ts.length;
  for (const [i, c] of cols.entries()) {
    if (c.length !== n) throw new RangeError(`signal ${names[i]} has ${c.length} values for ${n} timestamps`);
  }
  const log = opts.log ?? silent;
  const input = opts.config ?? {};
  // The pipeline counts every ingested sample as one learning sample, so a row of k signals is k of them.
  const learnSamples = Math.max(20, opts.learnRows * Math.max(1, names.length));
  const cfg = parseConfig({
    ...input,
    assets: { ...input.assets, defaults: { ...input.assets?.defaults, learnSamples, learnSeconds: 0 } },
  });
  const own = opts.runner === undefined;
  const runner = opts.runner ?? (await openReplayRunner(undefined, log));
  const bus = new EventBus(log);
  const stats = new AgentStats();
  const pipeline = new Pipeline(cfg, runner, undefined, bus, stats, log);
  const asset = opts.asset ?? 'replay';
  if (opts.detector) {
    // Same class the pipeline would build: the configured profile, with these overrides on top.
    pipeline.detectors.set(
      asset,
      new AssetDetector(asset, pipeline.tuning(asset), cfg.detect.riskQ, { ...DETECTOR_PROFILES[cfg.detect.episode], ...opts.detector }),
    );
  }
  let last: Decision | undefined;
  const off = bus.on('decision', (d) => {
    if (d.asset === asset) last = d;
  });
  const decisions: Decision[] = new Array<Decision>(n);
  const anomaly = new Float64Array(n);
  const detections = new Uint8Array(n);
  const micros = new Float64Array(n);
  let prevTs = -Infinity;
  try {
    for (let r = 0; r < n; r++) {
      // The window rejects repeated or backward timestamps (NAB has both); keep row order, nudge by 1 ms.
      const ts = Math.max(series.ts[r]!, prevTs + 1);
      prevTs = ts;
      last = undefined;
      const t0 = performance.now();
      for (let s = 0; s < cols.length; s++) pipeline.ingest(asset, names[s]!, cols[s]![r]!, ts, performance.now());
      await pipeline.flush();
      micros[r] = (performance.now() - t0) * 1000;
      const d: Decision = last ?? {
        asset,
        ts,
        phase: 'learning',
        score: 0,
        threshold: 0,
        anomalous: false,
        source: 'fallback',
        latencyUs: 0,
        deadlineMissed: false,
      };
      decisions[r] = d;
      anomaly[r] = normalisedScore(d);
      detections[r] = d.phase === 'detecting' && d.anomalous ? 1 : 0;
    }
  } finally {
    off();
    await pipeline.stop();
    if (own) await runner.stop();
  }
  return {
    decisions,
    anomaly,
    detections,
    micros,
    modelDecisions: stats.modelDecisions,
    fallbackDecisions: stats.fallbackDecisions,
    deadlineMisses: stats.deadlineMisses,
  };
}

/** The p-th percentile (0–100) of a list of numbers (nearest rank). */
export function percentile(xs: ArrayLike<number>, p: number): number {
  const s = Float64Array.from(xs).sort();
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
