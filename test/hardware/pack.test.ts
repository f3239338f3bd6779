import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { alertSchema, type Alert } from '../../agent/alerts/schema.js';
import { faultUntil, nodeRedSettings, rewrite } from '../flows/node-red-process.js';
import { freePort } from '../history/influx-server.js';

/**
 * The release path end to end, as a user without a checkout meets it: `npm
 * pack` of the agent (which builds through `prepare`) and of the Node-RED
 * package, then both tarballs installed into one empty folder with `npm
 * --offline` (the registry is never asked; every dependency comes from this
 * machine's npm cache), with the network-fetching install steps turned off the
 * way hardware/install.sh turns them off. In that folder: the installed
 * binary runs (--version, demo, doctor), and a real Node-RED 4 using it as its
 * user directory loads the nodes, serves the package's examples (Import >
 * Examples), deploys one, and publishes an alert with its summary.
 * PACK_ROOT lets the same test check a scratch copy of the repository.
 */
const ROOT = resolve(process.env['PACK_ROOT'] ?? resolve(import.meta.dirname, '../..'));
/** Node-RED 4 from this repository's dev dependencies (a scratch PACK_ROOT need not have node_modules). */
const RED_JS = resolve(import.meta.dirname, '../../node_modules/node-red/red.js');
const tmp = mkdtempSync(join(tmpdir(), 'pack-'));
const stops: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  rmSync(tmp, { recursive: true, force: true });
});

function run(cmd: string, argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeout = 240_000) {
  const r = spawnSync(cmd, argv, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout, maxBuffer: 64 * 2 ** 20 });
  if (r.error) throw r.error;
  return r;
}

/** `npm pack` of a folder into tmp: the tarball's path and the files it holds. */
function pack(dir: string): { tgz: string; files: string[] } {
  const r = run('npm', ['pack', '--json', '--pack-destination', tmp], dir);
  expect(r.status, r.stderr.slice(-3000)).toBe(0);
  const [info] = JSON.parse(r.stdout.slice(r.stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
  return { tgz: join(tmp, info!.filename), files: info!.files.map((f) => f.path) };
}

/** Starts Node-RED 4 on `userDir` with the editor on (the admin API serves examples and deploys); resolves with its URL. */
async function startNodeRed(userDir: string): Promise<{ url: string; output: () => string }> {
  const port = await freePort();
  writeFileSync(join(userDir, 'settings.js'), nodeRedSettings(port, true));
  writeFileSync(join(userDir, 'flows.json'), '[]');
  const proc = spawn(process.execPath, [RED_JS, '--userDir', userDir, '--settings', join(userDir, 'settings.js')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-30_000)));
  proc.stderr.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-30_000)));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  stops.push(async () => {
    if (proc.exitCode !== null) return;
    proc.kill('SIGINT');
    const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(t);
  });
  const t0 = Date.now();
  while (!out.includes('Started flows')) {
    if (proc.exitCode !== null || Date.now() - t0 > 90_000) throw new Error(`Node-RED did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url: `http://127.0.0.1:${port}`, output: () => out };
}

describe('release tarballs → offline install → agent CLI and Node-RED', () => {
  it('packs only what runs, installs offline with no checkout, runs the CLI, and Node-RED imports an example that alerts', async () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const agent = pack(ROOT);
    // What the agent needs at run time, including the compiled Node-RED adapters the nodes package imports.
    for (const must of [
      'package.json',
      'dist/agent/cli/main.js',
      'dist/agent/controller.js',
      'dist/nodes/src/index.js',
      'models/detector/pca-t2q.onnx',
      'models/detector/pca-t2q.card.json',
      'hardware/install.sh',
      'hardware/systemd/edge-sentinel.service',
      'hardware/base.yaml',
      'hardware/merge-config.mjs',
    ]) {
      expect(agent.files, must).toContain(must);
    }
    // What it must not carry: sources, tests, training scripts and corpora, source maps.
    const junk = agent.files.filter((f) => /^(agent|test)\//.test(f) || /\.py$|\.map$|^models\/lm\/build\/|tsconfig|vitest|eslint/.test(f));
    expect(junk).toEqual([]);

    const nodesPkg = JSON.parse(readFileSync(join(ROOT, 'nodes/package.json'), 'utf8')) as {
      version: string;
      dependencies: Record<string, string>;
      keywords: string[];
      repository?: object;
      'node-red': { version: string; nodes: Record<string, string> };
    };
    // The nodes depend on the agent package of the same version (the adapters they import ship in it).
    expect(nodesPkg.version).toBe(version);
    expect(nodesPkg.dependencies).toEqual({ 'edge-sentinel': version });
    expect(nodesPkg.keywords).toContain('node-red');
    expect(nodesPkg.repository).toBeDefined();
    expect(nodesPkg['node-red'].version).toBe('>=4.0.0');
    const nodes = pack(join(ROOT, 'nodes'));
    for (const file of Object.values(nodesPkg['node-red'].nodes)) {
      const base = file.replace(/\.js$/, '');
      const name = base.split('/')[1]!;
      for (const f of [file, `${base}.html`, `${dirname(file)}/locales/en-US/${name}.html`, `${dirname(file)}/locales/en-US/${name}.json`])
        expect(nodes.files, f).toContain(f);
    }
    for (const f of [
      'lib/bridge.js',
      'README.md',
      'examples/mqtt-alerts.json',
      'examples/sparkplug-alerts.json',
      'examples/influxdb-history.json',
    ])
      expect(nodes.files, f).toContain(f);

    // better-sqlite3 compiles from source against local headers instead of downloading a prebuild.
    const headers = resolve(dirname(process.execPath), '..');
    if (!existsSync(join(headers, 'include/node/node.h')))
      throw new Error(
        `no Node headers under ${headers}/include/node: install the nodejs package with headers (NodeSource) to build better-sqlite3 offline`,
      );
    // The cache holds what `npm ci` fetched for the lockfile, but not the registry metadata, nor newer
    // versions a fresh resolution picks. Fill it once with the registry allowed, in a scratch folder
    // (scripts off: nothing builds there), then install into the empty folder with the registry forbidden.
    const blank = (dir: string): string => {
      execFileSync('mkdir', ['-p', dir]);
      writeFileSync(join(dir, 'package.json'), '{ "name": "pack-probe", "private": true }\n');
      return dir;
    };
    const warm = run(
      'npm',
      ['install', '--prefer-offline', '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts', agent.tgz, nodes.tgz],
      blank(join(tmp, 'warm')),
      { ONNXRUNTIME_NODE_INSTALL: 'skip' },
      300_000,
    );
    expect(warm.status, warm.stderr.slice(-3000)).toBe(0);
    // One folder for both: a Node-RED user directory the two tarballs were installed into, as a gateway gets it.
    const app = blank(join(tmp, 'node-red-user'));
    const install = run(
      'npm',
      ['install', '--offline', '--omit=dev', '--no-audit', '--no-fund', agent.tgz, nodes.tgz],
      app,
      { ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_build_from_source: 'true', npm_config_nodedir: headers },
      480_000,
    );
    expect(install.status, install.stderr.slice(-3000)).toBe(0);

    const bin = join(app, 'node_modules/.bin/edge-sentinel');
    expect(run(bin, ['--version'], app).stdout.trim()).toBe(version);
    const demo = run(bin, ['demo', '--duration', '10', '--json'], app, {}, 60_000);
    expect(demo.status, demo.stderr.slice(-2000)).toBe(0);
    const summary = JSON.parse(demo.stdout.trim().split('\n').at(-1)!) as { type: string; decisions: number; samplesIn: number };
    expect(summary.type).toBe('summary');
    // One decision per asset scan (the simulated assets send 4-5 signals per scan).
    expect(summary.decisions).toBeGreaterThan(100);
    expect(summary.decisions).toBeLessThan(summary.samplesIn);
    // doctor from the installed layout finds the packaged model and the real broker.
    const doc = run(bin, ['doctor', '--json'], app, {}, 60_000);
    const report = JSON.parse(doc.stdout) as { ok: boolean; findings: Array<{ id: string; status: string }> };
    expect(report.findings.find((f) => f.id === 'onnx.ep.cpu')?.status).toBe('ok');
    expect(report.ok).toBe(true);
    expect(doc.status).toBe(0);

    await importedExampleAlerts(app);
  }, 1_200_000);
});

/** Node-RED on the installed folder: the palette has our nodes, Import > Examples lists ours, and the deployed example alerts. */
async function importedExampleAlerts(userDir: string): Promise<void> {
  const nr = await startNodeRed(userDir);
  const api = async (path: string): Promise<unknown> => {
    const r = await fetch(`${nr.url}${path}`, { headers: { accept: 'application/json' } });
    expect(r.status, `${path}: ${await r.clone().text()}`).toBe(200);
    return r.json();
  };
  const sets = (await api('/nodes')) as Array<{ module: string; types: string[]; enabled: boolean; err?: string }>;
  const ours = sets.filter((s) => s.module === 'node-red-contrib-edge-sentinel');
  expect(ours.map((s) => s.err ?? 'ok')).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
  expect(ours.flatMap((s) => s.types).sort()).toEqual([
    'sentinel-alert',
    'sentinel-config',
    'sentinel-explain',
    'sentinel-score',
    'sentinel-sparkplug-in',
  ]);
  // What the editor's Import > Examples menu reads.
  const listing = (await api('/library/examples/flows/node-red-contrib-edge-sentinel')) as Array<{ fn?: string }>;
  expect(listing.map((e) => e.fn).sort()).toEqual(['influxdb-history', 'mqtt-alerts', 'sparkplug-alerts']);
  const example = (await api('/library/examples/flows/node-red-contrib-edge-sentinel/mqtt-alerts')) as object[];

  // Deploy it as the editor does, on topics of its own (the broker is shared with other test runs).
  const runId = `pk${process.pid}${Date.now() % 100000}`;
  const flow = rewrite(example, [
    ['plant/', `${runId}/plant/`],
    ["'edge-sentinel/'", `'${runId}/edge-sentinel/'`],
  ]);
  const deploy = await fetch(`${nr.url}/flows`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'node-red-deployment-type': 'full' },
    body: JSON.stringify(flow),
  });
  expect(deploy.status, await deploy.clone().text()).toBe(204);

  const client = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { protocolVersion: 4 });
  try {
    const alerts: Alert[] = [];
    client.on('message', (_t, payload) => alerts.push(alertSchema.parse(JSON.parse(payload.toString()))));
    await client.subscribeAsync(`${runId}/edge-sentinel/#`, { qos: 1 });
    const t0 = Date.now();
    while (!/Connected to broker/.test(nr.output())) {
      if (Date.now() - t0 > 30_000) throw new Error(`the example never connected to the broker:\n${nr.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 500));
    let seed = 7;
    const rnd = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const pub = async (temp: number): Promise<void> => {
      await client.publishAsync(`${runId}/plant/P-9/temp`, (temp + rnd()).toFixed(3));
      await client.publishAsync(`${runId}/plant/P-9/vib`, (2 + 0.05 * rnd()).toFixed(3));
      await new Promise((r) => setTimeout(r, 2));
    };
    for (let i = 0; i < 320; i++) await pub(60); // 320 scans of two messages: learning (300) and the fit
    await faultUntil(
      (kind) => pub(kind === 'fault' ? 66 : 60),
      () => alerts.some((a) => a.asset === 'P-9' && a.state === 'open'),
      `an alert from the imported example\n${nr.output().slice(-4000)}`,
    );
    const open = alerts.find((a) => a.asset === 'P-9' && a.state === 'open')!;
    expect(open.summary.text).toMatch(/P-9/);
    expect(nr.output()).not.toMatch(/\[error\]/);
  } finally {
    await client.endAsync();
  }
}
