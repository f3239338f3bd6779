/**
 * No secret in any log line, error or status: the built agent runs with
 * known secrets in every place a config can hold one (broker URL userinfo,
 * password, passwordFile, the HTTP token, InfluxDB URL userinfo and
 * password), at log level trace, through connects, refusals and errors; then
 * every byte it wrote or served is searched for each secret. Also validate
 * and doctor on configs holding them.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../alerts/helpers.js';
import { freePort } from '../helpers/mosquitto.js';
import { uniq, waitFor } from '../helpers/wait.js';
import { startUpstreamBroker, type UpstreamBroker } from '../uplink/helpers/upstream-broker.js';

const CLI = resolve(import.meta.dirname, '../../dist/agent/cli/main.js');
const SECRETS = {
  PLANT_URL_PW: 'plantUrlPw-6d1f0a',
  PLANT_PW: 'plantPw-93be21',
  UPLINK_PW: 'uplinkPw-4c7e58',
  HTTP_TOKEN: 'httpToken-0b5a9d7731',
  INFLUX_URL_PW: 'influxUrlPw-2f8c44',
  INFLUX_PW: 'influxPw-a17e03',
};
const run = promisify(execFile);

describe('no secret leaves in logs, errors or status', () => {
  const dir = tempDir('secrets');
  const outputs: Record<string, string> = {};
  let up: UpstreamBroker;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} missing: run npm run build first`);
    up = await startUpstreamBroker({ auth: { username: 'edge', password: SECRETS.UPLINK_PW } });
    const port = await freePort();
    const prefix = uniq('sec');
    const pwFile = join(dir, 'uplink.pw');
    writeFileSync(pwFile, `${SECRETS.UPLINK_PW}\n`, { mode: 0o600 });
    const cfg = join(dir, 'config.yaml');
    writeFileSync(
      cfg,
      [
        'agent: { id: sec1, site: secsite, stateDir: ' + join(dir, 'state') + ' }',
        'log: { level: trace }',
        'plant:',
        '  broker: { url: "mqtt://edge:${PLANT_URL_PW}@127.0.0.1:1883", password: "${PLANT_PW}", username: edge }',
        `  subscriptions: [{ topic: "${prefix}/{asset}/{signal}" }]`,
        'assets: { defaults: { learnSamples: 30 } }',
        `observe: { http: { port: ${port}, token: "\${HTTP_TOKEN}" } }`,
        'history: { url: "http://hist:${INFLUX_URL_PW}@127.0.0.1:1", username: hist, password: "${INFLUX_PW}", retryIntervalMs: 200 }',
        `uplink: { enabled: true, healthIntervalS: 1, broker: { url: "${up.url}", username: edge, passwordFile: ${pwFile}, protocolVersion: 4 } }`,
      ].join('\n'),
    );
    let stdout = '';
    let stderr = '';
    const child = spawn(process.execPath, [CLI, 'run', '--config', cfg], {
      env: { PATH: process.env['PATH'], ...SECRETS },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitFor(() => up.received.some((m) => m.topic.endsWith('/status')), 30_000, 'the uplink to authenticate and send its birth');
      const pub = mqtt.connect('mqtt://127.0.0.1:1883', { clientId: uniq('secpub') });
      await new Promise<void>((r) => pub.once('connect', () => r()));
      for (let i = 0; i < 60; i++) pub.publish(`${prefix}/pump-1/x`, String(10 + (i % 7) / 10));
      await pub.endAsync();
      // Refusals and errors on the write route, with wrong and right credentials.
      for (const auth of [undefined, `Bearer wrong-${SECRETS.HTTP_TOKEN.slice(0, 4)}`, `Bearer ${SECRETS.HTTP_TOKEN}`]) {
        const r = await fetch(`${base}/assets/nope/refit`, { method: 'POST', headers: auth ? { authorization: auth } : {} });
        outputs[`refit ${auth ? auth.slice(0, 12) : 'none'}`] = `${r.status} ${await r.text()}`;
      }
      await new Promise((r) => setTimeout(r, 1500)); // a periodic health status, history retries
      for (const path of ['/healthz', '/metrics', '/']) outputs[`GET ${path}`] = await (await fetch(base + path)).text();
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));
    }
    outputs['agent stdout'] = stdout;
    outputs['agent stderr'] = stderr;
    outputs['upstream messages'] = up.received.map((m) => `${m.topic} ${m.payload.toString()}`).join('\n');
    outputs['egress audit'] = readFileSync(join(dir, 'state', 'egress-audit.log'), 'utf8');

    // validate and doctor on configs holding secrets, valid and invalid.
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      [
        'plant: { broker: { url: "ftp://edge:${PLANT_URL_PW}@x", password: 42 } }',
        'uplink: { enabled: true, broker: { url: "mqtt://edge:${UPLINK_PW}@127.0.0.1:1", password: "${PLANT_PW}", bogus: "${INFLUX_PW}" } }',
        'observe: { http: { token: "${HTTP_TOKEN}", host: 0.0.0.0, port: -1 } }',
        'history: { url: "not a url ${INFLUX_URL_PW}" }',
      ].join('\n'),
    );
    for (const [name, args] of [
      ['validate bad', ['validate', bad]],
      ['validate good', ['validate', cfg]],
      ['doctor', ['doctor', '--config', cfg, '--timeout', '500']],
      ['run bad', ['run', '--config', bad]],
    ] as const) {
      try {
        const r = await run(process.execPath, [CLI, ...args], { env: { PATH: process.env['PATH'], ...SECRETS } });
        outputs[name] = r.stdout + r.stderr;
      } catch (err) {
        const e = err as { stdout: string; stderr: string };
        outputs[name] = e.stdout + e.stderr;
      }
    }
  }, 90_000);

  afterAll(async () => {
    await up?.close();
  });

  it('ran for real: authenticated upstream, refused bad tokens, reported the dead InfluxDB, rejected the bad config', () => {
    expect(outputs['refit none']).toMatch(/^401/);
    expect(outputs['refit Bearer wrong']).toMatch(/^401/);
    expect(outputs['refit Bearer httpT']).toMatch(/^404/);
    expect(outputs['GET /healthz']).toContain('history_unreachable');
    expect(outputs['agent stdout']).toContain('alert state restored'); // the log was written (at level trace)
    expect(outputs['upstream messages']).toContain('"components"');
    expect(outputs['validate bad']).toMatch(/plant\.broker\.url: .*\(got "ftp:\/\/edge:\[redacted\]@x"\)/);
    expect(outputs['validate good']).toMatch(/valid/);
    expect(outputs['doctor']).toContain('Uplink broker');
  });

  it('no output holds any secret', () => {
    const leaks: string[] = [];
    for (const [where, text] of Object.entries(outputs)) {
      for (const [name, secret] of Object.entries(SECRETS)) if (text.includes(secret)) leaks.push(`${name} in ${where}`);
    }
    expect(leaks).toEqual([]);
  });
});
