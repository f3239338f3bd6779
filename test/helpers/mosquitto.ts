/**
 * A Mosquitto of our own (the real broker, not the shared one on 1883): on a
 * free port, optionally with TLS and `require_certificate true`, optionally
 * persistent, and stoppable/startable on the same port — an upstream that
 * goes away and comes back. Used by the mTLS test and the chaos bench.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MosquittoOptions {
  /** Server certificate and key, and the CA client certificates must chain to (require_certificate true). */
  tls?: { ca: string; cert: string; key: string; requireCertificate: boolean };
  /** Keep sessions and queued QoS 1 messages across a stop/start (persistence true, saved on stop). */
  persistent?: boolean;
}

export interface Mosquitto {
  url: string;
  port: number;
  /** Graceful stop (SIGTERM: a persistent broker saves its sessions). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops and removes its directory. */
  close(): Promise<void>;
  /** The broker's log so far (for failure messages). */
  log(): string;
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startMosquitto(opts: MosquittoOptions = {}): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'es-mosq-'));
  const port = await freePort();
  const lines = [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    // Run as the user that made the key files (root in CI): dropping to "mosquitto" could not read them.
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    `persistence ${opts.persistent ? 'true' : 'false'}`,
    ...(opts.persistent ? [`persistence_location ${dir}/`, 'autosave_interval 0'] : []),
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
  ];
  if (opts.tls) {
    lines.push(`cafile ${opts.tls.ca}`, `certfile ${opts.tls.cert}`, `keyfile ${opts.tls.key}`);
    lines.push(`require_certificate ${opts.tls.requireCertificate}`);
  }
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, lines.join('\n') + '\n');
  let proc: ChildProcess | undefined;
  let out = '';
  const start = async (): Promise<void> => {
    const p = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    p.stderr!.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-20_000)));
    proc = p;
    for (let i = 0; i < 100; i++) {
      if (p.exitCode !== null) throw new Error(`mosquitto exited with ${p.exitCode}:\n${out}`);
      if (await listening(port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`mosquitto did not listen on ${port}:\n${out}`);
  };
  const stop = async (): Promise<void> => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    url: `${opts.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    port,
    stop,
    start,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => out,
  };
}
