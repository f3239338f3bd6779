import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstreamBroker, type UpstreamBroker } from '../uplink/helpers/upstream-broker.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/agent/cli/main.js');

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

/** Every AF_INET/AF_INET6 connect() strace saw, as "addr:port". */
function inetConnects(straceLog: string): string[] {
  const out: string[] = [];
  for (const m of straceLog.matchAll(
    /connect\(\d+, \{sa_family=AF_INET6?, sin6?_port=htons\((\d+)\), (?:sin_addr=inet_addr\("([^"]+)"\)|[^}]*inet_pton\(AF_INET6, "([^"]+)")/g,
  )) {
    out.push(`${m[2] ?? m[3]}:${m[1]}`);
  }
  return out;
}

/**
 * Sovereignty at the process boundary: a real demo run (ONNX detector and the
 * LM worker, uplink on) with a fresh HOME leaves no ONNX Runtime telemetry
 * behind, and every outbound connect() goes to a configured broker.
 */
describe('nothing phones home', () => {
  let upstream: UpstreamBroker;
  const home = mkdtempSync(join(tmpdir(), 'es-home-'));
  const work = mkdtempSync(join(tmpdir(), 'es-nph-'));
  const straceLog = join(work, 'strace.log');
  let plantPort = 0;
  let pid = 0;
  let code: number | null = null;
  let stdout = '';

  beforeAll(async () => {
    upstream = await startUpstreamBroker();
    plantPort = await freePort();
    const cfg = {
      agent: { id: 'nph', site: 'plant9', stateDir: join(work, 'state') },
      log: { level: 'warn' },
      plant: { subscriptions: [{ topic: 'plant/{asset}/{signal}', decoder: 'number' }] },
      assets: { defaults: { learnSamples: 100 } },
      observe: { http: { enabled: false } },
      explain: { mode: 'lm' },
      uplink: { enabled: true, prefix: 'es', broker: { url: upstream.url, protocolVersion: 4 } },
      sim: { enabled: true, embeddedBroker: true, embeddedPort: plantPort, rateHz: 20, speed: 4 },
    };
    const file = join(work, 'config.json');
    writeFileSync(file, JSON.stringify(cfg));
    const child = spawn(
      'strace',
      ['-f', '-qq', '-e', 'trace=connect', '-o', straceLog, process.execPath, CLI, 'demo', '--duration', '10', '--json', '--config', file],
      {
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    pid = child.pid ?? 0;
    code = await new Promise<number | null>((r) => child.on('exit', r));
  }, 60_000);

  afterAll(async () => {
    await upstream?.close();
  });

  it('ran the demo with the uplink on and delivered through the configured upstream', () => {
    expect(code).toBe(0);
    expect(stdout).toMatch(/"type":"summary"/);
    expect(upstream.received.some((m) => m.topic === 'es/plant9/status')).toBe(true);
  });

  it('leaves no ONNX Runtime telemetry: no ~/.cache/Microsoft, no /tmp/mat-debug-<pid>.log', () => {
    expect(existsSync(join(home, '.cache', 'Microsoft'))).toBe(false);
    // strace -f runs the agent as its child; look for the files of every pid strace saw.
    const pids = new Set([pid, ...[...readFileSync(straceLog, 'utf8').matchAll(/^(\d+) /gm)].map((m) => Number(m[1]))]);
    expect(pids.size).toBeGreaterThan(1);
    for (const p of pids) expect(existsSync(`/tmp/mat-debug-${p}.log`), `/tmp/mat-debug-${p}.log`).toBe(false);
  });

  it('connects to nothing but the plant broker and the upstream broker', () => {
    const seen = inetConnects(readFileSync(straceLog, 'utf8'));
    const allowed = new Set([`127.0.0.1:${plantPort}`, `127.0.0.1:${upstream.port}`]);
    expect(seen).toContain(`127.0.0.1:${plantPort}`);
    expect(seen).toContain(`127.0.0.1:${upstream.port}`);
    expect(seen.filter((a) => !allowed.has(a))).toEqual([]);
  });
});
