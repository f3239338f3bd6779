import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../agent/doctor/doctor.js';
import type { Finding } from '../../agent/doctor/finding.js';
import { checkCpu } from '../../agent/doctor/host.js';

const ROOT = resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'doctor-'));
let authBroker: ChildProcess | undefined;
let authPort = 0;

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), res(true)));
    s.once('error', () => res(false));
  });
}

function config(name: string, yaml: string): string {
  const f = join(tmp, name);
  writeFileSync(f, yaml);
  return f;
}

const byId = (fs: Finding[], id: string): Finding => {
  const f = fs.find((x) => x.id === id);
  if (!f) throw new Error(`no finding ${id} in ${fs.map((x) => x.id).join(', ')}`);
  return f;
};

beforeAll(async () => {
  // A second real Mosquitto with a password file, to tell "reachable" from "credentials accepted".
  authPort = await freePort();
  const pw = join(tmp, 'passwd');
  execFileSync('mosquitto_passwd', ['-b', '-c', pw, 'gateway', 's3cret']);
  chmodSync(pw, 0o644); // mosquitto drops root for its own user and must still read it
  chmodSync(tmp, 0o755);
  const conf = config('mosquitto.conf', `listener ${authPort} 127.0.0.1\nallow_anonymous false\npassword_file ${pw}\npersistence false\n`);
  authBroker = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  for (let i = 0; i < 50 && !(await accepts(authPort)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await accepts(authPort))) throw new Error('could not start a password-protected mosquitto (apt-get install -y mosquitto)');
});

afterAll(() => {
  authBroker?.kill();
  rmSync(tmp, { recursive: true, force: true });
});

describe('doctor', () => {
  it('passes a good setup: Mosquitto on 127.0.0.1:1883 and a writable state dir', async () => {
    const state = join(tmp, 'good-state');
    const fs = await runDoctor({
      configFile: config('good.yaml', `agent:\n  stateDir: ${state}\nplant:\n  broker:\n    url: mqtt://127.0.0.1:1883\n`),
    });
    expect(fs.filter((f) => f.status === 'fail')).toEqual([]);
    expect(byId(fs, 'node').status).toBe('ok');
    expect(byId(fs, 'config').status).toBe('ok');
    expect(byId(fs, 'onnx').detail).toMatch(/backends: .*cpu/);
    expect(byId(fs, 'onnx.ep.cpu').status).toBe('ok');
    expect(byId(fs, 'statedir').status).toBe('ok');
    expect(byId(fs, 'disk').status).toBe('ok');
    expect(byId(fs, 'broker.plant')).toMatchObject({ status: 'ok', detail: 'connected to mqtt://127.0.0.1:1883 (anonymous)' });
    // The probe leaves no trace: the state dir did not exist before and does not after.
    expect(() => execFileSync('test', ['-e', state])).toThrow();
  });

  it('accepts good credentials and rejects bad ones on a password-protected broker', async () => {
    const mk = (pw: string) =>
      `plant:\n  broker:\n    url: mqtt://127.0.0.1:${authPort}\n    protocolVersion: 4\n    username: gateway\n    password: ${pw}\nagent:\n  stateDir: ${join(tmp, 'cred-state')}\n`;
    const good = await runDoctor({ configFile: config('cred-good.yaml', mk('s3cret')) });
    expect(byId(good, 'broker.plant').status).toBe('ok');
    const bad = await runDoctor({ configFile: config('cred-bad.yaml', mk('wrong')) });
    const f = byId(bad, 'broker.plant');
    expect(f.status).toBe('fail');
    expect(f.detail).toMatch(/refused the credentials as gateway/);
    expect(f.detail).not.toContain('wrong');
    expect(f.fix).toMatch(/username and password/);
  });

  it('flags an unreachable broker, an unwritable state dir and a cuda fallback', async () => {
    const closed = await freePort();
    // Root ignores permission bits, so make the path impossible instead: a directory under a regular file (ENOTDIR).
    const file = join(tmp, 'not-a-dir');
    writeFileSync(file, 'x');
    const fs = await runDoctor({
      configFile: config(
        'broken.yaml',
        `agent:\n  stateDir: ${file}/state\nplant:\n  broker:\n    url: mqtt://127.0.0.1:${closed}\ndetect:\n  executionProviders: [cuda, cpu]\n`,
      ),
      brokerTimeoutMs: 1000,
    });
    expect(byId(fs, 'broker.plant')).toMatchObject({ status: 'fail', detail: `mqtt://127.0.0.1:${closed} unreachable: ECONNREFUSED` });
    const sd = byId(fs, 'statedir');
    expect(sd.status).toBe('fail');
    expect(sd.detail).toMatch(/ENOTDIR/);
    expect(sd.fix).toMatch(/install -d -o edge-sentinel/);
    // The stock onnxruntime-node has no CUDA here: a warning (the agent falls back), not a blocker.
    expect(byId(fs, 'onnx.ep.cuda').status).toBe('warn');
    expect(byId(fs, 'onnx.effective').detail).toBe('the detector will run on cpu');
    for (const f of fs.filter((x) => x.status === 'warn' || x.status === 'fail')) expect(f.fix, f.id).toBeTruthy();
  });

  it('reports every config problem and skips what needs the config', async () => {
    const fs = await runDoctor({
      configFile: config('bad.yaml', 'plant:\n  broker:\n    url: http://nope\ndetect:\n  threads: 0\nbogus: 1\n'),
    });
    const c = byId(fs, 'config');
    expect(c.status).toBe('fail');
    expect(c.lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^plant\.broker\.url: must be a broker URL/),
        expect.stringMatching(/^detect\.threads: /),
        expect.stringMatching(/^\(root\): .*bogus/),
      ]),
    );
    expect(byId(fs, 'broker.plant').status).toBe('skip');
    expect(byId(fs, 'onnx.ep.cpu').status).toBe('ok');
  });

  it('reads the governor from sysfs and treats its absence as unknown', () => {
    const sys = join(tmp, 'sys');
    expect(checkCpu({ sys, run: tmp })).toMatchObject({ status: 'ok', detail: expect.stringMatching(/governor unknown$/) });
    mkdirSync(join(sys, 'devices/system/cpu/cpu0/cpufreq'), { recursive: true });
    writeFileSync(join(sys, 'devices/system/cpu/cpu0/cpufreq/scaling_governor'), 'ondemand\n');
    expect(checkCpu({ sys, run: tmp })).toMatchObject({ status: 'warn', detail: expect.stringMatching(/governor ondemand$/) });
    writeFileSync(join(sys, 'devices/system/cpu/cpu0/cpufreq/scaling_governor'), 'performance\n');
    expect(checkCpu({ sys, run: tmp }).status).toBe('ok');
  });

  it('CLI: table with fixes and exit 1 when blocked, --json for scripts', () => {
    const cli = [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'agent/cli/main.ts'), 'doctor'];
    const f = config('cli-bad.yaml', `plant:\n  broker:\n    url: http://nope\n`);
    const table = spawnSync(process.execPath, [...cli, '--config', f], { encoding: 'utf8' });
    expect(table.status).toBe(1);
    expect(table.stdout).toMatch(/^ {2}FAIL {4}Config +.*1 problem/m);
    expect(table.stdout).toMatch(/^ +fix: fix each key listed below/m);
    expect(table.stdout).toMatch(/result: 1 blocking problem/);
    const json = spawnSync(process.execPath, [...cli, '--config', f, '--json'], { encoding: 'utf8' });
    expect(json.status).toBe(1);
    const doc = JSON.parse(json.stdout) as { ok: boolean; findings: Finding[] };
    expect(doc.ok).toBe(false);
    expect(doc.findings.find((x) => x.id === 'config')?.status).toBe('fail');
  });
});
