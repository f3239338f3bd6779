/**
 * Writes the replay report: ONE self-contained HTML file. uPlot's minified JS
 * and CSS are read from node_modules at generation time and inlined, the data
 * is inlined as JSON, so the file opens offline and can be mailed around.
 */
import { uplotAssets } from '../observe/uplot.js';
import { CLIENT_JS, REPORT_CSS } from './client.js';
import type { DriveResult } from './driver.js';
import type { Recording } from './load.js';

export interface ReportMeta {
  title: string;
  generatedAt: string;
  agentVersion: string;
  model: string;
  learnRows: number;
  /** Band half-width in learned spreads. */
  k: number;
}

/** The data block the client script renders (times in seconds, uPlot's x unit). */
export function reportData(rec: Recording, res: DriveResult, meta: ReportMeta): object {
  const round = (x: number | null): number | null => (x === null || !Number.isFinite(x) ? null : Number(x.toPrecision(6)));
  return {
    meta: {
      ...meta,
      file: rec.file,
      layout: rec.layout,
      rows: rec.ts.length,
      labelSource: rec.labelSource,
      alertsEnabled: res.alertsEnabled,
      alertsNote: res.alertsNote,
      stats: res.stats,
    },
    t: rec.ts.map((ms) => ms / 1000),
    labels: (rec.labels ?? []).map((w) => [w.start / 1000, w.end / 1000]),
    assets: res.traces.map((t) => ({
      asset: t.asset,
      signals: t.signals.map((name, i) => ({
        name,
        v: t.values[i]!.map(round),
        mean: t.baseline ? round(t.baseline.mean[i]!) : null,
        spread: t.baseline ? round(t.baseline.spread[i]!) : null,
      })),
      fromRow: t.baseline?.fromRow ?? null,
      score: t.score.map(round),
      threshold: t.threshold.map(round),
      anomalous: Array.from(t.anomalous),
      pattern: t.pattern,
      moved: t.moved,
      alerts: t.alerts.map((a) => ({
        ...a,
        at: a.at / 1000,
        firstSeen: a.firstSeen / 1000,
        lastSeen: a.lastSeen / 1000,
        score: round(a.score),
        threshold: round(a.threshold),
      })),
    })),
  };
}

// JSON inside <script> must not contain "</script" or "<!--": escape every "<".
const safeJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');
const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** Renders the complete HTML document. */
export function renderReport(rec: Recording, res: DriveResult, meta: ReportMeta): string {
  const u = uplotAssets();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="edge-sentinel ${esc(meta.agentVersion)} replay; uPlot ${esc(u.version)} (MIT) inlined">
<title>${esc(meta.title)}</title>
<style>${u.css}</style>
<style>${REPORT_CSS}</style>
</head>
<body>
<header id="head"></header>
<main id="app"></main>
<script id="report-data" type="application/json">${safeJson(reportData(rec, res, meta))}</script>
<script>${u.js}</script>
<script>${CLIENT_JS}</script>
</body>
</html>
`;
}
