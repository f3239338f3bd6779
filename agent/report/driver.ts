/**
 * Drives a recording through the daemon's own classes for the replay report:
 * Pipeline → AssetDetector → ModelRunner (ONNX Runtime) → SPOT thresholds →
 * diagnosis, and the alerts stage (lifecycle + template summaries) on the same
 * EventBus. Same approach as agent/eval/replay.ts (one row at a time, then
 * `await pipeline.flush()`), plus what a report needs and the harness does not
 * expose: the bus (alerts, extra listeners), the learned baselines, progress.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino, { type Logger } from 'pino';
import { TEMPLATE_MODEL } from '../explain/explainer.js';
import { templateSummary } from '../explain/template.js';
import { createStandaloneAlerting, type Alert, type AlertManager } from '../alerts/index.js';
import type { Config } from '../config/schema.js';
import { EventBus } from '../events.js';
import { openReplayRunner } from '../eval/replay.js';
import type { ModelRunner } from '../detect/model.js';
import { AgentStats } from '../observe/stats.js';
import { Pipeline } from '../pipeline.js';
import type { Decision } from '../types.js';
import { VERSION } from '../version.js';
import type { Recording } from './load.js';

/** One alert transition as the report shows it. */
export interface AlertMark {
  state: 'open' | 'update' | 'resolved';
  alertId: string;
  /** When the transition happened (replay clock), ms. */
  at: number;
  severity: string;
  pattern: string;
  firstSeen: number;
  lastSeen: number;
  score: number;
  threshold: number;
  summary: string;
  summarySource: string;
}

/** What one asset did during the replay, row for row. */
export interface AssetTrace {
  asset: string;
  signals: string[];
  values: number[][];
  /** Per row: the highest-scoring decision of the row (null while learning). */
  score: Array<number | null>;
  threshold: Array<number | null>;
  anomalous: Uint8Array;
  pattern: Array<string | null>;
  /** Per row: the signals the diagnosis says moved (anomalous rows only). */
  moved: Array<string[] | null>;
  /** Learned level and spread per signal (from the Baseline), and the first row decided after learning. */
  baseline: { mean: number[]; spread: number[]; fromRow: number } | null;
  alerts: AlertMark[];
}

export interface DriveResult {
  traces: AssetTrace[];
  alertsEnabled: boolean;
  alertsNote: string | null;
  stats: { rows: number; decisions: number; modelDecisions: number; fallbackDecisions: number; deadlineMisses: number; ms: number };
}

export interface DriveOptions {
  /** Parsed config; learnSamples per asset is set from learnRows. */
  config: Config;
  learnRows: number;
  runner?: ModelRunner;
  log?: Logger;
  /** Run the alerts stage too (lifecycle and template summaries). */
  alerts?: boolean;
  onRow?: (row: number, rows: number) => void;
  /** Extra listeners (e.g. a history sink) before the first row. */
  onBus?: (bus: EventBus) => void;
}

const silent = pino({ level: 'silent' });

/** Replays every asset of a recording through one Pipeline; see the file comment. */
export async function driveRecording(rec: Recording, opts: DriveOptions): Promise<DriveResult> {
  const log = opts.log ?? silent;
  const base = opts.config;
  const overrides = { ...base.assets.overrides };
  for (const a of rec.assets) {
    // Each ingested sample is one learning sample: a row of k signals counts k.
    overrides[a.asset] = {
      ...overrides[a.asset],
      learnSamples: Math.max(20, opts.learnRows * Object.keys(a.signals).length),
      learnSeconds: 0,
    };
  }
  const cfg: Config = { ...base, assets: { ...base.assets, overrides }, uplink: { ...base.uplink, enabled: false } };
  const own = opts.runner === undefined;
  const runner = opts.runner ?? (await openReplayRunner(undefined, log));
  const bus = new EventBus(log);
  const stats = new AgentStats();
  const pipeline = new Pipeline(cfg, runner, undefined, bus, stats, log);
  const n = rec.ts.length;
  const traces = rec.assets.map((a): AssetTrace => {
    const signals = Object.keys(a.signals);
    return {
      asset: a.asset,
      signals,
      values: signals.map((s) => a.signals[s]!),
      score: new Array(n).fill(null),
      threshold: new Array(n).fill(null),
      anomalous: new Uint8Array(n),
      pattern: new Array(n).fill(null),
      moved: new Array(n).fill(null),
      baseline: null,
      alerts: [],
    };
  });
  const byAsset = new Map(traces.map((t) => [t.asset, t]));
  let row = 0;
  let clock = rec.ts[0] ?? 0;
  bus.on('decision', (d: Decision) => {
    const t = byAsset.get(d.asset);
    if (!t || d.phase !== 'detecting') return;
    const prev = t.score[row];
    if (prev !== null && prev !== undefined && prev >= d.score) return;
    t.score[row] = d.score;
    t.threshold[row] = d.threshold;
    t.anomalous[row] = d.anomalous ? 1 : 0;
    t.pattern[row] = d.diagnosis?.pattern ?? null;
    t.moved[row] = d.anomalous ? (d.diagnosis?.signals ?? null) : null;
  });
  bus.on('alert', (e) => {
    const t = byAsset.get(e.asset);
    if (t) t.alerts.push(alertMark(e.state, e.payload));
  });
  let alerting: AlertManager | undefined;
  let stateDir: string | undefined;
  let alertsNote: string | null = null;
  if (opts.alerts !== false) {
    stateDir = mkdtempSync(join(tmpdir(), 'edge-sentinel-replay-'));
    // Replay time, not wall time, drives cooldowns and durations.
    alerting = createStandaloneAlerting(cfg, {
      log,
      bus,
      stateDir,
      agentId: 'replay',
      version: VERSION,
      now: () => clock,
      explainer: { explain: async (facts) => ({ text: templateSummary(facts), source: 'template', model: TEMPLATE_MODEL }) },
    });
    await alerting.start();
    alertsNote = 'alert summaries are the deterministic template (the language model is not run in replays)';
  }
  opts.onBus?.(bus);
  const t0 = performance.now();
  let prevTs = -Infinity;
  try {
    for (row = 0; row < n; row++) {
      // The window rejects repeated or backward timestamps: keep row order, nudge by 1 ms (as the eval harness does).
      const ts = Math.max(rec.ts[row]!, prevTs + 1);
      prevTs = ts;
      clock = ts;
      for (const a of rec.assets)
        for (const [s, col] of Object.entries(a.signals)) pipeline.ingest(a.asset, s, col[row]!, ts, performance.now());
      await pipeline.flush();
      for (const t of traces) if (!t.baseline) captureBaseline(t, pipeline, row);
      opts.onRow?.(row, n);
    }
    await alerting?.flush();
  } finally {
    await alerting?.stop();
    await pipeline.stop();
    if (own) await runner.stop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  }
  return {
    traces,
    alertsEnabled: alerting !== undefined,
    alertsNote,
    stats: {
      rows: n,
      decisions: stats.decisions,
      modelDecisions: stats.modelDecisions,
      fallbackDecisions: stats.fallbackDecisions,
      deadlineMisses: stats.deadlineMisses,
      ms: Math.round(performance.now() - t0),
    },
  };
}

function captureBaseline(t: AssetTrace, pipeline: Pipeline, row: number): void {
  const b = pipeline.detectors.get(t.asset)?.baseline;
  if (!b) return;
  // Baseline order is the window's signal order; map it onto the file's column order.
  const idx = t.signals.map((s) => b.signals.indexOf(s));
  t.baseline = { mean: idx.map((i) => b.mean[i] ?? NaN), spread: idx.map((i) => b.spread[i] ?? NaN), fromRow: row + 1 };
}

function alertMark(state: AlertMark['state'], p: Alert): AlertMark {
  return {
    state,
    alertId: p.alertId,
    at: Date.parse(p.sent),
    severity: p.severity,
    pattern: p.diagnosis.pattern,
    firstSeen: Date.parse(p.firstSeen),
    lastSeen: Date.parse(p.lastSeen),
    score: p.score,
    threshold: p.threshold,
    summary: p.summary.text,
    summarySource: p.summary.source,
  };
}
