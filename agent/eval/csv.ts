/**
 * Small, strict text helpers shared by the benchmark loaders (NAB, SKAB).
 * The benchmark files are plain delimited text without quoting, so a split
 * per line is exact; anything malformed fails loudly with the file and line,
 * because a silently skipped row would shift every row index the scorers use.
 */
import path from 'node:path';
import { EdgeError } from '../errors.js';

const TS_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

/**
 * Parses a benchmark timestamp `YYYY-MM-DD HH:MM:SS[.ffffff]` (NAB and SKAB
 * both write naive local times) as UTC milliseconds. Treating them as UTC keeps
 * every interval exact: no daylight-saving jump can stretch or fold a window.
 */
export function parseBenchTimestamp(text: string, where = 'timestamp'): number {
  const m = TS_RE.exec(text.trim());
  if (m === null) throw new EdgeError('E_DECODE', `${where}: not a timestamp: ${JSON.stringify(text)}`);
  const frac = m[7] ?? '';
  const ms = frac === '' ? 0 : Number((frac + '00').slice(0, 3));
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms);
}

/** A parsed delimited file: the header names and the raw cells of each data line. */
export interface DelimitedText {
  header: string[];
  rows: string[][];
}

/**
 * Splits delimited text into header and rows. Accepts LF or CRLF, skips blank
 * lines, and rejects rows whose cell count differs from the header's.
 */
export function parseDelimited(text: string, sep: string, where: string): DelimitedText {
  const lines = text.split(/\r?\n/);
  let headerLine: string | undefined;
  const rows: string[][] = [];
  let header: string[] = [];
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] ?? '';
    if (line.trim() === '') continue;
    if (headerLine === undefined) {
      headerLine = line;
      // A UTF-8 BOM would otherwise glue itself to the first column name.
      header = line
        .replace(/^\uFEFF/, '')
        .split(sep)
        .map((h) => h.trim());
      continue;
    }
    const cells = line.split(sep);
    if (cells.length !== header.length) {
      throw new EdgeError('E_DECODE', `${where}:${n + 1}: ${cells.length} cells, header has ${header.length}`);
    }
    rows.push(cells);
  }
  if (headerLine === undefined) throw new EdgeError('E_DECODE', `${where}: empty file`);
  return { header, rows };
}

/** Index of a named column, or a decode error naming the file and the columns it has. */
export function columnIndex(header: string[], name: string, where: string): number {
  const i = header.indexOf(name);
  if (i < 0) throw new EdgeError('E_DECODE', `${where}: no column ${JSON.stringify(name)} (has ${header.join(', ')})`);
  return i;
}

/** Parses one numeric cell; NaN/empty is an error (the benchmark files have no gaps). */
export function numberCell(cell: string | undefined, where: string): number {
  const v = Number(cell);
  if (cell === undefined || cell.trim() === '' || !Number.isFinite(v)) {
    throw new EdgeError('E_DECODE', `${where}: not a number: ${JSON.stringify(cell)}`);
  }
  return v;
}

/**
 * Where the benchmark data lives: `$ES_DATASETS` if set, else
 * `../shared/datasets` next to the repository root. The data is never copied
 * into the repository (SKAB is GPL-3.0); tests that need it skip on a bare
 * clone, and CI sets ES_REQUIRE_DATASETS=1 to fail instead (test/helpers/datasets.ts).
 */
export function resolveDatasetsDir(repoRoot: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['ES_DATASETS'];
  if (fromEnv !== undefined && fromEnv !== '') return path.resolve(fromEnv);
  return path.resolve(repoRoot, '../shared/datasets');
}
