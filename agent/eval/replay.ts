/**
 * Replays of one recorded series for the detection benches (test/bench/nab.ts,
 * skab.ts, diagnosis.ts): each row is one scan of the asset, fed through the
 * shared harness (harness.ts: the daemon's own Pipeline, one row at a time, no
 * lookahead). See docs/detection.md.
 */
import { performance } from 'node:perf_hooks';
import pino, { type Logger } from 'pino';
import { parseConfig } from '../config/load.js';
import type { ConfigInput } from '../config/schema.js';
import { builtinCardPath } from '../detect/card.js';
import type { DetectorOptions } from '../detect/detector.js';
import { ModelRunner } from '../detect/model.js';
import type { Decision } from '../types.js';
import { ReplayHarness, replayConfig } from './harness.js';

/** A recorded multivariate series: row timestamps (ms) and one value array per signal, row for row. */
export interface ReplaySeries {
  ts: ArrayLike<number>;
  signals: Record<string, ArrayLike<number>>;
}

/** How to replay one series. */
export interface ReplayOptions {
  /** Rows (scans) of the learning phase (NAB: its probation; SKAB: 400). */
  learnRows: number;
  /** A started runner to share between series (saves loading the model per file); default: a fresh built-in one. */
  runner?: ModelRunner;
  /** Extra config (the same for a whole benchmark); the learning length is set from learnRows. */
  config?: ConfigInput;
  /** Asset name used for the series (default "replay"). */
  asset?: string;
  /** Overrides of the detector options of the configured episode profile (default: none). */
  detector?: Partial<DetectorOptions>;
  log?: Logger;
}

/** What a replay produced, one entry per row. */
export interface ReplayResult {
  /** The decision of each row (one row = one scan = one decision). */
  decisions: Decision[];
  /** Streaming anomaly score in [0, 1) per row: 0 while learning, else normalisedScore(decision). */
  anomaly: Float64Array;
  /** The agent's own decision per row (1 = anomalous), with its learned thresholds. */
  detections: Uint8Array;
  /** Wall time per row from its first value to its decision, µs. */
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
  const n = series.ts.length;
  const log = opts.log ?? silent;
  const asset = opts.asset ?? 'replay';
  const cfg = replayConfig(parseConfig(opts.config ?? {}), opts.learnRows, [asset]);
  const own = opts.runner === undefined;
  const runner = opts.runner ?? (await openReplayRunner(undefined, log));
  const h = new ReplayHarness(cfg, runner, log);
  if (opts.detector) h.useDetector(asset, opts.detector);
  let last: Decision | undefined;
  h.bus.on('decision', (d) => {
    if (d.asset === asset) last = d;
  });
  const decisions: Decision[] = new Array<Decision>(n);
  const anomaly = new Float64Array(n);
  const detections = new Uint8Array(n);
  const micros = new Float64Array(n);
  let t0 = 0;
  try {
    await h.run(series.ts, [{ asset, signals: series.signals }], {
      before() {
        last = undefined;
        t0 = performance.now();
      },
      after(r, ts) {
        micros[r] = (performance.now() - t0) * 1000;
        // A row whose every value was rejected (NaN) makes no scan: it reads as a learning placeholder.
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
      },
    });
  } finally {
    await h.stop();
    if (own) await runner.stop();
  }
  return {
    decisions,
    anomaly,
    detections,
    micros,
    modelDecisions: h.stats.modelDecisions,
    fallbackDecisions: h.stats.fallbackDecisions,
    deadlineMisses: h.stats.deadlineMisses,
  };
}

/** The p-th percentile (0–100) of a list of numbers (nearest rank). */
export function percentile(xs: ArrayLike<number>, p: number): number {
  const s = Float64Array.from(xs).sort();
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
