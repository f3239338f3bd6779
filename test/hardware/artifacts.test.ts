import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../agent/config/load.js';

const ROOT = resolve(import.meta.dirname, '../..');
const HW = join(ROOT, 'hardware');
const PROFILES = ['raspberry-pi-4', 'raspberry-pi-5', 'jetson-orin-nano', 'x86-gateway'];
const tmp = mkdtempSync(join(tmpdir(), 'hwcfg-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('device profiles', () => {
  it.each(PROFILES)('%s: overlay merged on base.yaml is a valid config with the profile values', (p) => {
    const merged = execFileSync(process.execPath, [join(HW, 'merge-config.mjs'), join(HW, 'base.yaml'), join(HW, p, 'config.yaml')], {
      encoding: 'utf8',
    });
    const file = join(tmp, `${p}.yaml`);
    writeFileSync(file, merged);
    const cfg = loadConfigFile(file);
    expect(cfg.agent.stateDir).toBe('/var/lib/edge-sentinel');
    expect(cfg.observe.http.host).toBe('127.0.0.1');
    // The overlay's own keys survive the merge.
    const overlay = loadConfigFile(join(HW, p, 'config.yaml'));
    expect(cfg.detect).toEqual(overlay.detect);
    expect(cfg.assets.defaults.deadlineMs).toBe(overlay.assets.defaults.deadlineMs);
    expect(cfg.explain.mode).toBe(overlay.explain.mode);
    expect(cfg.detect.executionProviders.at(-1)).toBe('cpu');
  });

  it('only the Jetson asks for an accelerator, and always with cpu last', () => {
    for (const p of PROFILES) {
      const eps = loadConfigFile(join(HW, p, 'config.yaml')).detect.executionProviders;
      expect(eps).toEqual(p === 'jetson-orin-nano' ? ['cuda', 'cpu'] : ['cpu']);
    }
  });

  it.each(PROFILES)('%s: README covers OS, Node 20, tuning, what was verified, and the CPU-only arm64 build', (p) => {
    const md = readFileSync(join(HW, p, 'README.md'), 'utf8');
    for (const heading of ['## OS', '## Node.js 20', '## Install', '## Tuning', '## What to expect', '## Verified'])
      expect(md).toContain(heading);
    expect(md).toMatch(/arm64 build is CPU-only|CPU-only/);
    expect(md).toContain('doctor');
  });

  it('hardware/README.md links every profile and the files it names exist', () => {
    const md = readFileSync(join(HW, 'README.md'), 'utf8');
    for (const p of PROFILES) expect(md).toContain(`(${p}/README.md)`);
    for (const m of md.matchAll(/\]\(((?!https?:)[^)#]+)\)/g)) expect(existsSync(join(HW, m[1]!)), m[1]).toBe(true);
  });
});

/** Dockerfile instructions with line continuations joined and comments dropped. */
function instructions(text: string): Array<{ op: string; args: string }> {
  const joined = text.replace(/\\\r?\n/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(' ') };
    });
}

describe('Dockerfile (no Docker engine here: structural lint)', () => {
  const ins = instructions(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  const froms = ins.map((x, i) => ({ ...x, i })).filter((x) => x.op === 'FROM');
  const finalStage = ins.slice(froms.at(-1)!.i);
  const nodeVersion = /^NODE_VERSION=(\S+)$/.exec(ins.find((x) => x.op === 'ARG')!.args)?.[1];

  it('every stage is a pinned slim Node 20 image', () => {
    expect(nodeVersion).toMatch(/^20\.\d+\.\d+$/);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const f of froms) expect(f.args).toMatch(/node:\$\{NODE_VERSION\}-bookworm-slim( AS \w+)?$/);
    expect(ins.some((x) => /:latest/.test(x.args))).toBe(false);
  });

  it('the final stage runs as a non-root numeric user with a state volume and a /healthz check', () => {
    const user = finalStage.filter((x) => x.op === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(finalStage.find((x) => x.op === 'VOLUME')?.args).toContain('/var/lib/edge-sentinel');
    const hc = finalStage.find((x) => x.op === 'HEALTHCHECK')?.args ?? '';
    expect(hc).toContain('http://127.0.0.1:9464/healthz');
    // A USER must come before ENTRYPOINT so the process never starts as root.
    const idx = (op: string) => finalStage.findIndex((x) => x.op === op);
    expect(idx('USER')).toBeLessThan(idx('ENTRYPOINT'));
  });

  it('installs with npm ci and the .npmrc (no CUDA download), apt lists cleaned', () => {
    const runs = ins.filter((x) => x.op === 'RUN').map((x) => x.args);
    expect(runs.filter((r) => /npm ci/.test(r)).length).toBeGreaterThanOrEqual(2);
    expect(runs.some((r) => /npm install(?! -g)/.test(r))).toBe(false);
    for (const f of froms) {
      const stage = ins.slice(f.i, froms.find((g) => g.i > f.i)?.i ?? ins.length);
      const ci = stage.findIndex((x) => x.op === 'RUN' && /npm ci/.test(x.args));
      if (ci >= 0) expect(stage.slice(0, ci).some((x) => x.op === 'COPY' && x.args.includes('.npmrc'))).toBe(true);
    }
    expect(readFileSync(join(ROOT, '.npmrc'), 'utf8')).toMatch(/^onnxruntime-node-install=skip$/m);
    for (const r of runs.filter((r) => /apt-get install/.test(r))) {
      expect(r).toContain('--no-install-recommends');
      expect(r).toContain('rm -rf /var/lib/apt/lists/*');
    }
  });

  it('every COPY source exists in the build context and is not excluded by .dockerignore', () => {
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const c of ins.filter((x) => x.op === 'COPY' && !x.args.startsWith('--from'))) {
      const srcs = c.args.split(/\s+/).slice(0, -1);
      for (const s of srcs) {
        expect(existsSync(join(ROOT, s)), s).toBe(true);
        expect(ignore.includes(s.replace(/\/$/, '')), `${s} is in .dockerignore`).toBe(false);
      }
    }
    for (const must of ['node_modules', 'dist', '.git', 'models/lm/build', 'models/**/*.py']) expect(ignore).toContain(must);
  });

  it("the image's config validates and binds the health endpoint where the HEALTHCHECK looks", () => {
    const token = { EDGE_SENTINEL_HTTP_TOKEN: '0123456789abcdef0123' };
    const cfg = loadConfigFile(join(HW, 'container/config.yaml'), token);
    expect(cfg.agent.stateDir).toBe('/var/lib/edge-sentinel');
    expect(cfg.observe.http.port).toBe(9464);
    expect(cfg.plant.broker.url).toBe('mqtt://127.0.0.1:1883');
    expect(loadConfigFile(join(HW, 'container/config.yaml'), { ...token, PLANT_BROKER_URL: 'mqtt://10.0.0.5:1883' }).plant.broker.url).toBe(
      'mqtt://10.0.0.5:1883',
    );
    // It listens on 0.0.0.0 (for -p 127.0.0.1:9464:9464), so it refuses to start without a token.
    expect(() => loadConfigFile(join(HW, 'container/config.yaml'), {})).toThrow(/EDGE_SENTINEL_HTTP_TOKEN is not set/);
  });
});
