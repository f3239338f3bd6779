/**
 * The replay report end to end: the CLI replays a file in SKAB's format (a
 * synthetic one, so this runs on a bare clone; SKAB itself is GPL-3.0 and not
 * vendored) through the real pipeline and alerts stage, writes one HTML file, and headless Chromium
 * (offline) renders it; the page's own render check (painted canvas pixels per
 * chart) is read back from the DOM, and a screenshot is taken.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { detectLayout, loadRecording, parseTimeCell } from '../../agent/report/load.js';
import { writeSyntheticSkab } from '../fixtures/skab-synth.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';
const tmp = mkdtempSync(path.join(tmpdir(), 'es-report-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Headless Chromium with networking off; returns the DOM after scripts ran (virtual time). */
async function chromium(url: string, extra: string[]): Promise<string> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium (or set CHROMIUM)`);
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--disable-sync',
    `--user-data-dir=${path.join(tmp, 'chrome')}`,
    '--window-size=1400,1800',
    '--virtual-time-budget=5000',
    ...extra,
    url,
  ];
  const { stdout } = await run(CHROMIUM, args, { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

describe('recording loader', () => {
  it('detects the three layouts', () => {
    expect(detectLayout('timestamp,value')).toBe('nab');
    expect(detectLayout('datetime;Accelerometer1RMS;Accelerometer2RMS;anomaly;changepoint')).toBe('skab');
    expect(detectLayout('time,P-101/pressure,P-101/flow')).toBe('generic');
  });

  it('reads NAB labels from combined_windows.json in a NAB-layout folder', async () => {
    const root = path.join(tmp, 'nab');
    mkdirSync(path.join(root, 'data', 'realTweets'), { recursive: true });
    mkdirSync(path.join(root, 'labels'), { recursive: true });
    const rows = Array.from({ length: 40 }, (_, i) => `2015-01-01 00:${String(i).padStart(2, '0')}:00,${i % 5}`);
    writeFileSync(path.join(root, 'data', 'realTweets', 'x.csv'), ['timestamp,value', ...rows].join('\n'));
    writeFileSync(
      path.join(root, 'labels', 'combined_windows.json'),
      JSON.stringify({ 'realTweets/x.csv': [['2015-01-01 00:10:00.000000', '2015-01-01 00:12:00.000000']] }),
    );
    const rec = await loadRecording(path.join(root, 'data', 'realTweets', 'x.csv'));
    expect(rec.layout).toBe('nab');
    expect(rec.assets).toEqual([{ asset: 'x', signals: { value: expect.any(Array) } }]);
    expect(rec.labels).toEqual([{ start: Date.UTC(2015, 0, 1, 0, 10), end: Date.UTC(2015, 0, 1, 0, 12) }]);
    expect(rec.defaultLearnRows).toBe(6);
  });

  it('reads generic files: asset/signal columns, a label column, epoch timestamps', async () => {
    const f = path.join(tmp, 'gen.csv');
    writeFileSync(
      f,
      'time,P-101/pressure,P-101/flow,M-2/speed,label\n1700000000,1,2,3,0\n1700000001,1,2,3,1\n1700000002,1,2,3,1\n1700000003,1,2,3,0\n',
    );
    const rec = await loadRecording(f);
    expect(rec.assets.map((a) => [a.asset, Object.keys(a.signals)])).toEqual([
      ['P-101', ['pressure', 'flow']],
      ['M-2', ['speed']],
    ]);
    expect(rec.labels).toEqual([{ start: 1_700_000_001_000, end: 1_700_000_002_000 }]);
    expect(parseTimeCell('2024-05-01T10:00:00Z', 'x')).toBe(Date.UTC(2024, 4, 1, 10));
    expect(parseTimeCell('1700000000123', 'x')).toBe(1_700_000_000_123);
  });
});

describe('edge-sentinel replay --report (real pipeline, headless Chromium)', () => {
  it('writes one self-contained report whose charts render offline', async () => {
    const rows = 900; // learning = min(400, rows / 2): SKAB's protocol
    const file = path.join(writeSyntheticSkab(path.join(tmp, 'skab'), 1, rows).root, 'valve1', '0.csv');
    // openAfter 1 so this short file raises alerts and the alert table is exercised too.
    const cfg = path.join(tmp, 'replay.yaml');
    writeFileSync(cfg, 'alerts:\n  openAfter: 1\n  resolveAfter: 5\n  cooldownS: 0\n');
    const out = path.join(tmp, 'skab.html');
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'agent/cli/main.ts'), 'replay', file, '--config', cfg, '--report', out, '--json'],
      { cwd: ROOT, timeout: 120_000 },
    );
    const summary = JSON.parse(stdout.trim().split('\n').pop()!) as {
      rows: number;
      layout: string;
      learnRows: number;
      decisions: number;
      assets: Array<{ asset: string; alertsOpened: number }>;
    };
    // One decision per row: a row of the 8 sensors is one scan.
    expect(summary).toMatchObject({ layout: 'skab', rows, learnRows: 400, decisions: rows });
    const alertsOpened = summary.assets[0]!.alertsOpened;
    expect(alertsOpened).toBeGreaterThan(0);

    const html = readFileSync(out, 'utf8');
    // Self-contained: no external script, stylesheet or image reference.
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|<img[^>]+src=["']?https?:/i);
    expect(html).toContain('uPlot');

    const dom = await chromium(`file://${out}`, ['--dump-dom']);
    expect(dom).toMatch(/<body[^>]*data-rendered="1"/);
    const charts = Number(/data-charts="(\d+)"/.exec(dom)?.[1]);
    expect(charts).toBe(9); // score + 8 SKAB sensors
    const inks = [...dom.matchAll(/class="chart" data-ink="(-?\d+)" data-series="(\d+)" data-points="(\d+)"/g)];
    expect(inks).toHaveLength(9);
    for (const m of inks) {
      expect(Number(m[1])).toBeGreaterThan(200); // painted pixels, sampled every 4th
      expect(Number(m[3])).toBe(rows);
    }
    expect(inks.map((m) => Number(m[2])).sort()).toEqual([3, 4, 4, 4, 4, 4, 4, 4, 4]);
    expect((dom.match(/<canvas/g) ?? []).length).toBe(9);
    // Every alert transition has a row in the table, with its summary.
    const opens = (dom.match(/<td>open<\/td>/g) ?? []).length;
    expect(opens).toBe(alertsOpened);
    expect(dom).toContain('valve1-0');
    expect(dom).toContain('SKAB anomaly column');

    const png = path.join(tmp, 'skab.png');
    await chromium(`file://${out}`, [`--screenshot=${png}`]);
    expect(statSync(png).size).toBeGreaterThan(50_000);
  }, 180_000);
});
