/**
 * The live status page end to end: `edge-sentinel demo` (embedded broker,
 * simulated plant with faults, the real agent) prints the page's URL; headless
 * Chromium (Debian's, through playwright-core, a fresh profile, no network
 * beyond the agent) opens it and must see, updating live: both assets learning
 * then detecting with painted score charts, an open alert with its summary,
 * the deadline histogram, and the component health. Every request the page
 * makes must go to the agent itself. Screenshot: docs/img/status-page.png with
 * UPDATE_SCREENSHOTS=1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';
const tmp = mkdtempSync(path.join(tmpdir(), 'es-status-'));
let demo: ChildProcess;
let out = '';
let url = '';
let ctx: BrowserContext;
let page: Page;
const requests: string[] = [];

// Fast demo: 20 Hz, 300 learning samples, fault timeline compressed 4x, 0.5 s chart buckets.
const CONFIG = `
agent: { id: status-test, site: test-site, stateDir: ${JSON.stringify(path.join(tmp, 'state'))} }
log: { level: warn }
plant: { subscriptions: [{ topic: 'plant/{asset}/{signal}', decoder: number }] }
assets:
  defaults: { learnSamples: 300, deadlineMs: 5 }
  overrides: { P-101: { kind: pump }, M-201: { kind: motor } }
  units: { vibration: mm/s, bearing_temp: °C, current: A, pressure: bar, flow: m3/h, winding_temp: °C, speed: rpm }
observe: { http: { port: 0 }, status: { bucketMs: 500, windowS: 120 } }
explain: { mode: template }
sim: { enabled: true, embeddedBroker: true, rateHz: 20, speed: 4 }
`;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium (or set CHROMIUM)`);
  const cfg = path.join(tmp, 'demo.yaml');
  writeFileSync(cfg, CONFIG);
  demo = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'agent/cli/main.ts'), 'demo', '--config', cfg, '--duration', '150'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  demo.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  demo.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const t0 = Date.now();
  while (!/status page: (http:\/\/127\.0\.0\.1:\d+\/)/.test(out)) {
    if (demo.exitCode !== null || Date.now() - t0 > 60_000) throw new Error(`demo printed no status page URL:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  url = /status page: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)![1]!;
  ctx = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1400, height: 1000 },
  });
  page = ctx.pages()[0] ?? (await ctx.newPage());
  page.on('request', (r) => requests.push(r.url()));
}, 120_000);

afterAll(async () => {
  await ctx?.close();
  if (demo && demo.exitCode === null) {
    const exited = new Promise((r) => demo.once('exit', r));
    demo.kill('SIGINT');
    const t = setTimeout(() => {
      process.stderr.write(`demo did not stop within 20 s of SIGINT; killing it\n${out.slice(-2000)}\n`);
      demo.kill('SIGKILL');
    }, 20_000);
    await exited;
    clearTimeout(t);
  }
  rmSync(tmp, { recursive: true, force: true });
});

/**
 * Polls the page until `pred` (an expression run in the page) is true; fails with the page's text and
 * the demo output otherwise. The expression goes through evaluate() (the DevTools protocol), because the
 * page's Content-Security-Policy rightly forbids the eval() that waitForFunction(string) would need.
 */
async function until(what: string, pred: string, ms: number): Promise<void> {
  const t0 = Date.now();
  try {
    while (!(await page.evaluate(`!!(${pred})`))) {
      if (Date.now() - t0 > ms) throw new Error(`${ms} ms passed`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (err) {
    const text = await page.evaluate('document.body.innerText').catch(() => '');
    throw new Error(`timed out waiting for ${what}\n--- page ---\n${String(text).slice(0, 3000)}\n--- demo ---\n${out.slice(-2000)}`, {
      cause: err,
    });
  }
}

describe('live status page (edge-sentinel demo, headless Chromium)', () => {
  it('shows phases, score charts, an alert with its summary, the deadline histogram and health, live', async () => {
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    await until('the event stream', "document.body.dataset.connected === '1' && +document.body.dataset.updates >= 1", 20_000);
    // Both assets appear; at first they learn.
    await until('two asset cards', "document.querySelectorAll('.asset').length === 2", 30_000);
    await until(
      'both assets detecting with painted charts',
      "[...document.querySelectorAll('.asset')].every(c => c.querySelector('.phase').textContent === 'detecting' && +(c.querySelector('.chart').dataset.ink || 0) > 200 && +(c.querySelector('.chart').dataset.points || 0) >= 3)",
      60_000,
    );
    await until(
      'an open alert with its summary',
      "[...document.querySelectorAll('#alert-list tr[data-alert] td.summary')].some(td => /(P-101|M-201)/.test(td.textContent))",
      90_000,
    );

    const view = await page.evaluate(`(() => ({
      assets: [...document.querySelectorAll('.asset')].map(c => c.dataset.asset).sort(),
      alert: document.querySelector('#alert-list tr[data-alert]').innerText,
      bars: document.querySelectorAll('#latency .hist .b').length,
      latency: document.querySelector('#latency .lat').textContent,
      components: [...document.querySelectorAll('#health-table tr[data-component]')].map(r => r.dataset.component + '=' + r.dataset.state),
      overall: document.getElementById('overall').textContent,
      updates: +document.body.dataset.updates,
    }))()`);
    const v = view as {
      assets: string[];
      alert: string;
      bars: number;
      latency: string;
      components: string[];
      overall: string;
      updates: number;
    };
    expect(v.assets).toEqual(['M-201', 'P-101']);
    expect(v.alert).toMatch(/critical|warning|info/);
    expect(v.bars).toBe(10);
    expect(v.latency).toMatch(/arrival → decision over \d+ decisions: p50 .+ deadline 5 ms · \d+ missed/);
    // The component registry as /healthz has it: the plant connection is up; the hot path may be degraded on a loaded box.
    expect(v.components).toEqual(expect.arrayContaining(['plant=ok']));
    expect(v.components.some((c) => /^hotpath=(ok|degraded|down)$/.test(c))).toBe(true);
    expect(['healthy', 'degraded', 'down']).toContain(v.overall);
    // Live: more updates arrive without a reload.
    await until('further live updates', `+document.body.dataset.updates >= ${v.updates + 2}`, 15_000);

    const update = process.env['UPDATE_SCREENSHOTS'] === '1';
    // For the docs picture, let the charts fill a little more of their span first.
    if (update) await new Promise((r) => setTimeout(r, 25_000));
    const shot = update ? path.join(ROOT, 'docs/img/status-page.png') : path.join(tmp, 'status.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(40_000);

    // Self-contained: every request went to the agent (the page, its event stream), none elsewhere.
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((r) => !r.startsWith(url))).toEqual([]);

    // Ctrl-C with a browser still connected: the demo stops cleanly and at once (a pending --duration timer once kept it alive).
    const exited = new Promise<number | null>((r) => demo.once('exit', (code) => r(code)));
    demo.kill('SIGINT');
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running 20 s after SIGINT'), 20_000))]);
    expect(code).toBe(0);
    expect(out).toMatch(/done: \d+ samples/);
  }, 240_000);
});
