/**
 * Loader for the Skoltech Anomaly Benchmark (waico/SKAB) layout:
 * `<root>/<group>/<n>.csv` (valve1, valve2, other) and
 * `<root>/anomaly-free/anomaly-free.csv`. Files are semicolon-separated with
 * CRLF line ends: `datetime;<8 sensors>;anomaly;changepoint`; the anomaly-free
 * file has only the sensor columns.
 *
 * The protocol (SKAB `core/utils.py preprocess_skab`: sklearn
 * `train_test_split(train_size=400, shuffle=False)`) splits each labelled file
 * into its first 400 rows (learning) and the rest (test).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { EdgeError } from '../errors.js';
import { columnIndex, numberCell, parseBenchTimestamp, parseDelimited } from './csv.js';

/** The eight sensor columns, in file order. */
export const SKAB_SENSORS = [
  'Accelerometer1RMS',
  'Accelerometer2RMS',
  'Current',
  'Pressure',
  'Temperature',
  'Thermocouple',
  'Voltage',
  'Volume Flow RateRMS',
] as const;

/** Rows per file that SKAB's protocol uses for learning. */
export const SKAB_TRAIN_ROWS = 400;

/** One SKAB file, column-wise. */
export interface SkabFile {
  /** `<group>/<file>.csv`, e.g. `valve1/0.csv`. */
  key: string;
  /** Row timestamps, UTC ms (SKAB's naive times read as UTC). */
  ts: number[];
  /** Sensor name → values, one per row, for each of SKAB_SENSORS. */
  signals: Record<string, number[]>;
  /** 0/1 per row, or null in the anomaly-free file. */
  anomaly: Uint8Array | null;
  /** 0/1 per row (first row of each anomalous segment), or null. */
  changepoint: Uint8Array | null;
}

function labelColumn(rows: string[][], header: string[], name: string, where: string): Uint8Array | null {
  const i = header.indexOf(name);
  if (i < 0) return null;
  return Uint8Array.from(rows, (r, n) => {
    const v = numberCell(r[i], `${where}:${n + 2}`);
    if (v !== 0 && v !== 1) throw new EdgeError('E_DECODE', `${where}:${n + 2}: ${name} is ${v}, expected 0 or 1`);
    return v;
  });
}

/** Parses the text of one SKAB file. */
export function parseSkab(text: string, key: string): SkabFile {
  const { header, rows } = parseDelimited(text, ';', key);
  const it = columnIndex(header, 'datetime', key);
  const signals: Record<string, number[]> = {};
  for (const s of SKAB_SENSORS) {
    const i = columnIndex(header, s, key);
    signals[s] = rows.map((r, n) => numberCell(r[i], `${key}:${n + 2}`));
  }
  const anomaly = labelColumn(rows, header, 'anomaly', key);
  const changepoint = labelColumn(rows, header, 'changepoint', key);
  if ((anomaly === null) !== (changepoint === null)) throw new EdgeError('E_DECODE', `${key}: has only one of anomaly/changepoint`);
  return {
    key,
    ts: rows.map((r, n) => parseBenchTimestamp(r[it] ?? '', `${key}:${n + 2}`)),
    signals,
    anomaly,
    changepoint,
  };
}

/** Loads one file by key (`valve1/0.csv`). */
export async function loadSkabFile(root: string, key: string): Promise<SkabFile> {
  return parseSkab(await readFile(path.join(root, ...key.split('/')), 'utf8'), key);
}

/**
 * Keys of every labelled file (all groups but `anomaly-free`), groups in name
 * order and files in numeric order (0, 1, 2, ..., 10), as SKAB numbers them.
 */
export async function listSkabFiles(root: string): Promise<string[]> {
  const groups = (await readdir(root, { withFileTypes: true }))
    .filter((d) => d.isDirectory() && d.name !== 'anomaly-free')
    .map((d) => d.name)
    .sort();
  const out: string[] = [];
  const num = (f: string): number => Number.parseFloat(f);
  for (const g of groups) {
    const files = (await readdir(path.join(root, g))).filter((f) => f.endsWith('.csv'));
    files.sort((a, b) => num(a) - num(b) || a.localeCompare(b));
    for (const f of files) out.push(`${g}/${f}`);
  }
  return out;
}

/** Every labelled file plus the anomaly-free file when present. */
export async function loadSkabCorpus(root: string): Promise<{ files: SkabFile[]; anomalyFree: SkabFile | null }> {
  const keys = await listSkabFiles(root);
  const files = await Promise.all(keys.map((k) => loadSkabFile(root, k)));
  let anomalyFree: SkabFile | null = null;
  const freeKey = 'anomaly-free/anomaly-free.csv';
  const freeDir = await readdir(path.join(root, 'anomaly-free')).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [] as string[];
    throw err;
  });
  if (freeDir.includes('anomaly-free.csv')) anomalyFree = await loadSkabFile(root, freeKey);
  return { files, anomalyFree };
}

/** Rows [from, to) of a file, as a file of its own. */
export function sliceSkab(file: SkabFile, from: number, to: number = file.ts.length): SkabFile {
  const signals: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(file.signals)) signals[k] = v.slice(from, to);
  return {
    key: file.key,
    ts: file.ts.slice(from, to),
    signals,
    anomaly: file.anomaly === null ? null : file.anomaly.slice(from, to),
    changepoint: file.changepoint === null ? null : file.changepoint.slice(from, to),
  };
}

/** SKAB's split: the first `trainRows` rows learn, the rest are the test part. */
export function splitSkab(file: SkabFile, trainRows: number = SKAB_TRAIN_ROWS): { train: SkabFile; test: SkabFile } {
  return { train: sliceSkab(file, 0, trainRows), test: sliceSkab(file, trainRows) };
}
