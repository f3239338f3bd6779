/**
 * Drives a recording through the daemon's own classes for the replay report,
 * on the shared replay harness (agent/eval/harness.ts: one row = one scan of
 * each asset, decided before the next row), plus the alerts stage (lifecycle
 * + template summaries) on the same bus, replay time as the alerts' clock,
 * the learned baselines and progress.
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
import type { EventBus } from '../events.js';
import { ReplayHarness, replayConfig } from '../eval/harness.js';
import { openReplayRunner } from '../eval/replay.js';
import type { ModelRunner } from '../detect/model.js';
import type { Pipeline } from '../pipeline.js';
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
  /** Per row: the row's decision (one scan; null while learning). */
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
  /** Parsed config; each asset learns for learnRows scans. */
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
  const base = replayConfig(
    opts.config,
    opts.learnRows,
    rec.assets.map((a) => a.asset),
  );
  const cfg: Config = { ...base, uplink: { ...base.uplink, enabled: false } };
  const own = opts.runner === undefined;
  const runner = opts.runner ?? (await openReplayRunner(undefined, log));
  const h = new ReplayHarness(cfg, runner, log);
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
  h.bus.on('decision', (d: Decision) => {
    const t = byAsset.get(d.asset);
    if (!t || d.phase !== 'detecting') return;
    t.score[row] = d.score;
    t.threshold[row] = d.threshold;
    t.anomalous[row] = d.anomalous ? 1 : 0;
    t.pattern[row] = d.diagnosis?.pattern ?? null;
    t.moved[row] = d.anomalous ? (d.diagnosis?.signals ?? null) : null;
  });
  h.bus.on('alert', (e) => {
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
      bus: h.bus,
      stateDir,
      agentId: 'replay',
      version: VERSION,
      now: () => clock,
      explainer: { explain: async (facts) => ({ text: templateSummary(facts), source: 'template', model: TEMPLATE_MODEL }) },
    });
    await alerting.start();
    alertsNote = 'alert summaries are the deterministic template (the language model is not run in replays)';
  }
  opts.onBus?.(h.bus);
  const t0 = performance.now();
  try {
    await h.run(rec.ts, rec.assets, {
      before(r, ts) {
        row = r;
        clock = ts;
      },
      after(r) {
        for (const t of traces) if (!t.baseline) captureBaseline(t, h.pipeline, r);
        opts.onRow?.(r, n);
      },
    });
    await alerting?.flush();
  } finally {
    await alerting?.stop();
    await h.stop();
    if (own) await runner.stop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  }
  const s = h.stats;
  return {
    traces,
    alertsEnabled: alerting !== undefined,
    alertsNote,
    stats: {
      rows: n,
      decisions: s.decisions,
      modelDecisions: s.modelDecisions,
      fallbackDecisions: s.fallbackDecisions,
      deadlineMisses: s.deadlineMisses,
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
