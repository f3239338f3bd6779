import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeFileSync } from 'node:fs';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SdNotify } from '../../agent/observe/sdnotify.js';

/**
 * The real `systemd-notify` talking to a real AF_UNIX datagram socket. No
 * systemd runs here (PID 1 is not systemd), so socat stands in for the
 * manager's end of $NOTIFY_SOCKET and records every datagram.
 */
const log = pino({ level: 'silent' });
let dir: string;
let sock: string;
let out: string;
let socat: ChildProcess;

function which(bin: string): boolean {
  return ['/usr/bin', '/bin', '/usr/local/bin'].some((d) => existsSync(join(d, bin)));
}

async function waitFor(pred: () => boolean, ms = 3000): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting for the datagram');
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeEach(async () => {
  if (!which('socat') || !which('systemd-notify')) throw new Error('needs socat and systemd-notify: apt-get install -y socat systemd');
  dir = mkdtempSync(join(tmpdir(), 'sdnotify-'));
  sock = join(dir, 'notify.sock');
  out = join(dir, 'received');
  // Each datagram is written followed by a newline so messages can be told apart.
  socat = spawn('sh', ['-c', `exec socat -u UNIX-RECV:${sock} OPEN:${out},creat,append`], { stdio: 'ignore' });
  await waitFor(() => existsSync(sock));
});

afterEach(() => {
  socat.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('SdNotify', () => {
  it('is a no-op outside systemd', async () => {
    const n = new SdNotify(log, {});
    expect(n.enabled).toBe(false);
    expect(n.watchdogIntervalMs).toBeUndefined();
    expect(await n.ready()).toBe(false);
  });

  it('sends READY=1 and STATUS through systemd-notify to $NOTIFY_SOCKET', async () => {
    // --no-block: socat keeps the barrier fd open, which a real manager closes.
    const n = new SdNotify(log, { PATH: process.env['PATH'], NOTIFY_SOCKET: sock }, { block: false });
    expect(await n.ready('model loaded')).toBe(true);
    await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').includes('STATUS=model loaded'));
    const got = readFileSync(out, 'utf8');
    expect(got).toContain('READY=1');
    expect(n.sent).toBe(1);
  });

  it('pings WATCHDOG=1 at half of WATCHDOG_USEC and withholds it when not alive', async () => {
    const env = { PATH: process.env['PATH'], NOTIFY_SOCKET: sock, WATCHDOG_USEC: '400000', WATCHDOG_PID: String(process.pid) };
    const n = new SdNotify(log, env, { block: false });
    expect(n.watchdogIntervalMs).toBe(200);
    let alive = true;
    n.startWatchdog(() => alive);
    await waitFor(() => n.sent >= 2);
    n.stop();
    const text = readFileSync(out, 'utf8');
    expect(text.match(/WATCHDOG=1/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
    alive = false;
    const before = n.sent;
    n.startWatchdog(() => alive);
    await new Promise((r) => setTimeout(r, 500));
    n.stop();
    expect(n.sent).toBe(before);
  });

  it('ignores a watchdog meant for another PID', () => {
    const n = new SdNotify(log, { NOTIFY_SOCKET: sock, WATCHDOG_USEC: '1000000', WATCHDOG_PID: '1' });
    expect(n.watchdogIntervalMs).toBeUndefined();
  });

  it('resolves false and never throws when the socket is gone', async () => {
    const n = new SdNotify(log, { PATH: process.env['PATH'], NOTIFY_SOCKET: join(dir, 'missing.sock') }, { block: false });
    expect(await n.status('x')).toBe(false);
    expect(n.sent).toBe(0);
  });

  it('the agent (built CLI) says READY with its health and sends STATUS= on each component change', { timeout: 30_000 }, async () => {
    const cli = resolve(import.meta.dirname, '../../dist/agent/cli/main.js');
    if (!existsSync(cli)) throw new Error(`${cli} missing: run npm run build first`);
    const cfg = join(dir, 'agent.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        agent: { id: 'sd1', stateDir: join(dir, 'state') },
        log: { level: 'error' },
        plant: { subscriptions: [{ topic: `sdnotify-${process.pid}/{asset}/{signal}` }] },
        observe: { http: { enabled: false }, health: { downAfterS: 1 } },
        uplink: { enabled: true, broker: { url: 'mqtt://127.0.0.1:1', reconnectMs: 200 } },
      }),
    );
    const child = spawn(process.execPath, [cli, 'run', '--config', cfg], {
      env: { PATH: process.env['PATH'], NOTIFY_SOCKET: sock },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').includes('STATUS=down: uplink down (uplink_unreachable)'), 20_000);
      const got = readFileSync(out, 'utf8');
      expect(got).toMatch(/READY=1\s*STATUS=degraded: uplink degraded \(uplink_reconnecting\)/);
      expect(got.match(/STATUS=down: uplink down/g)).toHaveLength(1);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
