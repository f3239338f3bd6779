import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The release path end to end: `npm pack` (which builds through `prepare`),
 * then install that tarball into an empty folder with `npm --offline` (the
 * registry is never asked; every dependency comes from this machine's npm
 * cache), with the network-fetching install steps turned off the way
 * hardware/install.sh turns them off, and run the installed binary.
 * PACK_ROOT lets the same test check a scratch copy of the repository.
 */
const ROOT = resolve(process.env['PACK_ROOT'] ?? resolve(import.meta.dirname, '../..'));
const tmp = mkdtempSync(join(tmpdir(), 'pack-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(cmd: string, argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeout = 240_000) {
  const r = spawnSync(cmd, argv, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout, maxBuffer: 64 * 2 ** 20 });
  if (r.error) throw r.error;
  return r;
}

describe('npm pack → offline install → run', () => {
  it('packs only what runs, installs offline into an empty folder, and runs --version, demo and doctor', () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const pack = run('npm', ['pack', '--json', '--pack-destination', tmp], ROOT);
    expect(pack.status, pack.stderr.slice(-3000)).toBe(0);
    const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = info!.files.map((f) => f.path);

    // What the agent needs at run time.
    for (const must of [
      'package.json',
      'dist/agent/cli/main.js',
      'dist/agent/controller.js',
      'models/detector/pca-t2q.onnx',
      'models/detector/pca-t2q.card.json',
      'hardware/install.sh',
      'hardware/systemd/edge-sentinel.service',
      'hardware/base.yaml',
      'hardware/merge-config.mjs',
    ]) {
      expect(files, must).toContain(must);
    }
    // What it must not carry: sources, tests, training scripts and corpora, source maps.
    const junk = files.filter((f) => /^(agent|test)\//.test(f) || /\.py$|\.map$|^models\/lm\/build\/|tsconfig|vitest|eslint/.test(f));
    expect(junk).toEqual([]);

    const app = join(tmp, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), '{ "name": "pack-probe", "private": true }\n');
    // better-sqlite3 compiles from source against local headers instead of downloading a prebuild.
    const headers = resolve(dirname(process.execPath), '..');
    if (!existsSync(join(headers, 'include/node/node.h')))
      throw new Error(
        `no Node headers under ${headers}/include/node: install the nodejs package with headers (NodeSource) to build better-sqlite3 offline`,
      );
    // The cache holds what `npm ci` fetched for the lockfile, but not the registry metadata, nor newer
    // versions a fresh resolution picks. Fill it once with the registry allowed, in a scratch folder
    // (scripts off: nothing builds there), then install into the empty app folder with the registry forbidden.
    const warmDir = join(tmp, 'warm');
    execFileSync('mkdir', ['-p', warmDir]);
    writeFileSync(join(warmDir, 'package.json'), '{ "name": "pack-warm", "private": true }\n');
    const warm = run(
      'npm',
      ['install', '--prefer-offline', '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts', join(tmp, info!.filename)],
      warmDir,
      { ONNXRUNTIME_NODE_INSTALL: 'skip' },
      300_000,
    );
    expect(warm.status, warm.stderr.slice(-3000)).toBe(0);
    const install = run(
      'npm',
      ['install', '--offline', '--omit=dev', '--no-audit', '--no-fund', join(tmp, info!.filename)],
      app,
      { ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_build_from_source: 'true', npm_config_nodedir: headers },
      300_000,
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
  }, 600_000);
});
