/**
 * Reads a recorded CSV for `edge-sentinel replay` in one of three layouts:
 * - NAB: `timestamp,value` (labels from `labels/combined_windows.json` when the
 *   file sits in a NAB-layout folder `<root>/data/<category>/<file>.csv`);
 * - SKAB: `datetime;<sensors>;anomaly;changepoint` (semicolons; the anomaly
 *   column gives the labelled windows);
 * - generic: `timestamp,<signal>,<signal>...`; a column named `asset/signal`
 *   puts that signal on its own asset; a 0/1 column named `label` or `anomaly`
 *   gives labelled windows.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { EdgeError } from '../errors.js';
import { numberCell, parseBenchTimestamp, parseDelimited } from '../eval/csv.js';
import { loadNabWindows, parseNabData } from '../eval/nab-data.js';
import { parseSkab, SKAB_TRAIN_ROWS } from '../eval/skab-data.js';

export type Layout = 'nab' | 'skab' | 'generic';

/** A labelled window, inclusive, ms. */
export interface LabelWindow {
  start: number;
  end: number;
}

/** A recording: row timestamps and, per asset, its signal columns (row for row). */
export interface Recording {
  layout: Layout;
  file: string;
  ts: number[];
  assets: Array<{ asset: string; signals: Record<string, number[]> }>;
  /** Labelled anomaly windows (apply to every asset of the file); null when the data has no labels. */
  labels: LabelWindow[] | null;
  labelSource: string | null;
  /** The learning length this layout's benchmark protocol uses, rows. */
  defaultLearnRows: number;
}

/** Detects the layout from the header line. */
export function detectLayout(header: string): Layout {
  const h = header.replace(/^\uFEFF/, '').trim();
  if (h.includes(';') && h.split(';')[0]?.trim() === 'datetime') return 'skab';
  if (h === 'timestamp,value') return 'nab';
  return 'generic';
}

/** Loads a CSV in any supported layout. `asset` names the asset of single-asset files (default: from the file name). */
export async function loadRecording(file: string, asset?: string): Promise<Recording> {
  const text = await readFile(file, 'utf8');
  const layout = detectLayout(text.slice(0, text.indexOf('\n') >>> 0));
  const stem = path.basename(file).replace(/\.csv$/i, '');
  if (layout === 'nab') {
    const pts = parseNabData(text, file);
    const nab = await nabLabels(file);
    return {
      layout,
      file,
      ts: pts.map((p) => p.ts),
      assets: [{ asset: asset ?? stem, signals: { value: pts.map((p) => p.value) } }],
      labels: nab?.windows ?? null,
      labelSource: nab ? `NAB labels/combined_windows.json (${nab.key})` : null,
      // NAB's probationary period: the first 15 % of each file.
      defaultLearnRows: Math.floor(0.15 * pts.length),
    };
  }
  if (layout === 'skab') {
    const parent = path.basename(path.dirname(file));
    const f = parseSkab(text, `${parent}/${path.basename(file)}`);
    return {
      layout,
      file,
      ts: f.ts,
      assets: [{ asset: asset ?? `${parent}-${stem}`, signals: f.signals }],
      labels: f.anomaly ? runs(f.ts, f.anomaly) : null,
      labelSource: f.anomaly ? 'SKAB anomaly column' : null,
      defaultLearnRows: Math.min(SKAB_TRAIN_ROWS, Math.floor(f.ts.length / 2)),
    };
  }
  return generic(text, file, asset ?? stem);
}

async function nabLabels(file: string): Promise<{ key: string; windows: LabelWindow[] } | null> {
  const catDir = path.dirname(file);
  const dataDir = path.dirname(catDir);
  if (path.basename(dataDir) !== 'data') return null;
  const root = path.dirname(dataDir);
  if (!existsSync(path.join(root, 'labels', 'combined_windows.json'))) return null;
  const key = `${path.basename(catDir)}/${path.basename(file)}`;
  const all = await loadNabWindows(root);
  const windows = all.get(key);
  return windows ? { key, windows } : null;
}

/** Contiguous runs of 1 in a 0/1 column, as windows from the first to the last labelled row. */
function runs(ts: number[], flags: ArrayLike<number>): LabelWindow[] {
  const out: LabelWindow[] = [];
  let start = -1;
  for (let i = 0; i <= ts.length; i++) {
    const on = i < ts.length && flags[i] === 1;
    if (on && start < 0) start = i;
    if (!on && start >= 0) {
      out.push({ start: ts[start]!, end: ts[i - 1]! });
      start = -1;
    }
  }
  return out;
}

/** A timestamp cell: `YYYY-MM-DD HH:MM:SS`, ISO 8601, or epoch seconds / milliseconds. */
export function parseTimeCell(cell: string, where: string): number {
  const t = cell.trim();
  if (/^-?\d+(\.\d+)?$/.test(t)) {
    const v = Number(t);
    // Epoch seconds until the year 5138; larger numbers are milliseconds.
    return v < 1e11 ? v * 1000 : v;
  }
  if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(t)) return parseBenchTimestamp(t, where);
  const ms = Date.parse(t);
  if (!Number.isFinite(ms)) throw new EdgeError('E_DECODE', `${where}: not a timestamp: ${JSON.stringify(cell)}`);
  return ms;
}

function generic(text: string, file: string, defaultAsset: string): Recording {
  const sep = text.slice(0, text.indexOf('\n') >>> 0).includes(';') ? ';' : ',';
  const { header, rows } = parseDelimited(text, sep, file);
  if (header.length < 2) throw new EdgeError('E_DECODE', `${file}: needs a timestamp column and at least one signal column`);
  const ts = rows.map((r, n) => parseTimeCell(r[0] ?? '', `${file}:${n + 2}`));
  const byAsset = new Map<string, Record<string, number[]>>();
  let labels: LabelWindow[] | null = null;
  let labelSource: string | null = null;
  for (let c = 1; c < header.length; c++) {
    const name = header[c]!;
    const col = rows.map((r, n) => numberCell(r[c], `${file}:${n + 2}`));
    if (/^(label|anomaly)$/i.test(name)) {
      labels = runs(ts, col);
      labelSource = `column ${name}`;
      continue;
    }
    if (/^changepoint$/i.test(name)) continue;
    const slash = name.indexOf('/');
    const asset = slash > 0 ? name.slice(0, slash) : defaultAsset;
    const signal = slash > 0 ? name.slice(slash + 1) : name;
    const sig = byAsset.get(asset) ?? {};
    sig[signal] = col;
    byAsset.set(asset, sig);
  }
  return {
    layout: 'generic',
    file,
    ts,
    assets: [...byAsset].map(([asset, signals]) => ({ asset, signals })),
    labels,
    labelSource,
    defaultLearnRows: Math.max(20, Math.min(2000, Math.floor(0.15 * ts.length))),
  };
}
