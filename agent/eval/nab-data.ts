/**
 * Loaders for a folder laid out like the Numenta Anomaly Benchmark
 * (numenta/NAB): `data/<category>/<file>.csv` (`timestamp,value`),
 * `labels/combined_windows.json`, `config/profiles.json`, and stored detector
 * outputs `<results>/<detector>/<category>/<detector>_<file>.csv`. The same
 * code reads the development subset in ../shared/datasets/nab and a full NAB
 * checkout (its `results/` folder plays the role of our `reference/`).
 *
 * Files are keyed as NAB keys them: `<category>/<file>.csv`, forward slashes.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { EdgeError } from '../errors.js';
import { columnIndex, numberCell, parseBenchTimestamp, parseDelimited } from './csv.js';

/** One row of a NAB data file. */
export interface NabPoint {
  /** Timestamp, UTC milliseconds (NAB's naive times read as UTC). */
  ts: number;
  value: number;
}

/** One labelled anomaly window, inclusive at both ends, UTC milliseconds. */
export interface NabWindow {
  start: number;
  end: number;
}

/** One data file of the corpus. */
export interface NabFile {
  /** `<category>/<file>.csv`, as in combined_windows.json. */
  key: string;
  points: NabPoint[];
}

/** Costs of one application profile (config/profiles.json `CostMatrix`). */
export interface NabCostMatrix {
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
  tnWeight?: number;
}

/** One row of a stored detector output. */
export interface NabReferenceRow {
  ts: number;
  value: number;
  anomalyScore: number;
  /** NAB's 0/1 label column (1 inside a window). */
  label: number;
}

/** A detector's stored output for one data file. */
export interface NabReferenceFile {
  key: string;
  rows: NabReferenceRow[];
}

async function listCsvTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const cats = (await readdir(dir, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  for (const cat of cats) {
    const files = (await readdir(path.join(dir, cat))).filter((f) => f.endsWith('.csv')).sort();
    for (const f of files) out.push(`${cat}/${f}`);
  }
  return out;
}

/** Keys of every data file under `<root>/data`, sorted. */
export function listNabFiles(root: string): Promise<string[]> {
  return listCsvTree(path.join(root, 'data'));
}

/** Parses the text of a NAB data file (`timestamp,value`). */
export function parseNabData(text: string, where: string): NabPoint[] {
  const { header, rows } = parseDelimited(text, ',', where);
  const it = columnIndex(header, 'timestamp', where);
  const iv = columnIndex(header, 'value', where);
  return rows.map((r, n) => ({
    ts: parseBenchTimestamp(r[it] ?? '', `${where}:${n + 2}`),
    value: numberCell(r[iv], `${where}:${n + 2}`),
  }));
}

/** Loads one data file by key. */
export async function loadNabFile(root: string, key: string): Promise<NabFile> {
  const file = path.join(root, 'data', ...key.split('/'));
  return { key, points: parseNabData(await readFile(file, 'utf8'), file) };
}

/** Loads every data file under `<root>/data`, in key order. */
export async function loadNabCorpus(root: string): Promise<NabFile[]> {
  const keys = await listNabFiles(root);
  return Promise.all(keys.map((k) => loadNabFile(root, k)));
}

/**
 * Loads `labels/combined_windows.json` as key → windows sorted by start.
 * Files without anomalies map to an empty list.
 */
export async function loadNabWindows(root: string): Promise<Map<string, NabWindow[]>> {
  const file = path.join(root, 'labels', 'combined_windows.json');
  const json = JSON.parse(await readFile(file, 'utf8')) as unknown;
  if (json === null || typeof json !== 'object') throw new EdgeError('E_DECODE', `${file}: not an object`);
  const out = new Map<string, NabWindow[]>();
  for (const [key, list] of Object.entries(json as Record<string, unknown>)) {
    if (!Array.isArray(list)) throw new EdgeError('E_DECODE', `${file}: ${key}: not a list`);
    const wins = list.map((pair: unknown, i) => {
      if (!Array.isArray(pair) || pair.length !== 2) throw new EdgeError('E_DECODE', `${file}: ${key}[${i}]: not a [start, end] pair`);
      const start = parseBenchTimestamp(String(pair[0]), `${file}: ${key}[${i}]`);
      const end = parseBenchTimestamp(String(pair[1]), `${file}: ${key}[${i}]`);
      if (end < start) throw new EdgeError('E_DECODE', `${file}: ${key}[${i}]: end before start`);
      return { start, end };
    });
    out.set(
      key,
      wins.sort((a, b) => a.start - b.start),
    );
  }
  return out;
}

/** Loads `config/profiles.json` as profile name → cost matrix. */
export async function loadNabProfiles(root: string): Promise<Record<string, NabCostMatrix>> {
  const file = path.join(root, 'config', 'profiles.json');
  const json = JSON.parse(await readFile(file, 'utf8')) as Record<string, { CostMatrix?: Partial<NabCostMatrix> }>;
  const out: Record<string, NabCostMatrix> = {};
  for (const [name, prof] of Object.entries(json)) {
    const cm = prof.CostMatrix;
    if (cm === undefined || typeof cm.tpWeight !== 'number' || typeof cm.fpWeight !== 'number' || typeof cm.fnWeight !== 'number') {
      throw new EdgeError('E_DECODE', `${file}: ${name}: CostMatrix needs numeric tpWeight, fpWeight, fnWeight`);
    }
    out[name] = { tpWeight: cm.tpWeight, fpWeight: cm.fpWeight, fnWeight: cm.fnWeight, tnWeight: cm.tnWeight ?? 1 };
  }
  return out;
}

/** Parses the text of a stored detector output (needs `timestamp,value,anomaly_score`; `label` optional). */
export function parseNabReference(text: string, where: string): NabReferenceRow[] {
  const { header, rows } = parseDelimited(text, ',', where);
  const it = columnIndex(header, 'timestamp', where);
  const iv = columnIndex(header, 'value', where);
  const is = columnIndex(header, 'anomaly_score', where);
  const il = header.indexOf('label');
  return rows.map((r, n) => ({
    ts: parseBenchTimestamp(r[it] ?? '', `${where}:${n + 2}`),
    value: numberCell(r[iv], `${where}:${n + 2}`),
    anomalyScore: numberCell(r[is], `${where}:${n + 2}`),
    label: il < 0 ? 0 : numberCell(r[il], `${where}:${n + 2}`),
  }));
}

/**
 * Loads a detector's stored outputs from `<resultsDir>/<detector>/` (for the
 * subset: `<root>/reference`; for a NAB checkout: `<nab>/results`). Keys drop
 * the `<detector>_` file prefix so they match the data keys. NAB's summary
 * files (`*_scores.csv`) are skipped, as NAB's own optimiser skips them.
 */
export async function loadNabReference(resultsDir: string, detector: string): Promise<NabReferenceFile[]> {
  const base = path.join(resultsDir, detector);
  const prefix = `${detector}_`;
  const out: NabReferenceFile[] = [];
  for (const rel of await listCsvTree(base)) {
    const [cat, name] = rel.split('/') as [string, string];
    if (!name.startsWith(prefix) || name.endsWith('_scores.csv')) continue;
    const file = path.join(base, cat, name);
    out.push({ key: `${cat}/${name.slice(prefix.length)}`, rows: parseNabReference(await readFile(file, 'utf8'), file) });
  }
  return out;
}

/** Detector names present under a results folder (its sub-folders). */
export async function listNabDetectors(resultsDir: string): Promise<string[]> {
  return (await readdir(resultsDir, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}
