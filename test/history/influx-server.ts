/**
 * Starts a real InfluxDB 1.x (`/usr/bin/influxd`, Debian package `influxdb`)
 * on free ports with a temporary data directory, for tests. Reusable:
 *
 *   const influx = await startInflux();   // influx.url = http://127.0.0.1:<port>
 *   await influx.stop(); await influx.start(); // same ports and data (outage tests)
 *   await influx.close();                      // stop and delete the data
 *
 * Fails loudly (never skips) when influxd is missing or does not come up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const INFLUXD = process.env['INFLUXD'] ?? '/usr/bin/influxd';

/** A free TCP port on 127.0.0.1 (bind to port 0, read it back, release it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface InfluxServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** (Re)starts influxd on the same ports and data directory; resolves when /ping answers. */
  start(): Promise<void>;
  /** SIGTERM, then SIGKILL after 5 s; resolves when the process has exited. */
  stop(): Promise<void>;
  /** stop() and delete the data directory. */
  close(): Promise<void>;
  /** Recent influxd output, for failure messages. */
  output(): string;
}

export async function startInflux(): Promise<InfluxServer> {
  if (!existsSync(INFLUXD)) throw new Error(`${INFLUXD} not found: apt-get install -y influxdb (or set INFLUXD)`);
  const dir = mkdtempSync(join(tmpdir(), 'es-influx-'));
  const port = await freePort();
  const rpc = await freePort();
  const conf = join(dir, 'influxdb.conf');
  writeFileSync(
    conf,
    [
      'reporting-disabled = true',
      `bind-address = "127.0.0.1:${rpc}"`,
      '[meta]',
      `  dir = "${join(dir, 'meta')}"`,
      '[data]',
      `  dir = "${join(dir, 'data')}"`,
      `  wal-dir = "${join(dir, 'wal')}"`,
      '  query-log-enabled = false',
      '[http]',
      `  bind-address = "127.0.0.1:${port}"`,
      '  log-enabled = false',
      '[monitor]',
      '  store-enabled = false',
      '[continuous_queries]',
      '  enabled = false',
      '',
    ].join('\n'),
  );
  let proc: ChildProcess | undefined;
  let out = '';
  const url = `http://127.0.0.1:${port}`;

  const ping = async (): Promise<boolean> => {
    try {
      const r = await fetch(`${url}/ping`);
      return r.status === 204;
    } catch {
      // Not listening yet: the caller polls.
      return false;
    }
  };

  const server: InfluxServer = {
    url,
    port,
    dir,
    async start() {
      if (proc) return;
      const p = spawn(INFLUXD, ['-config', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
      proc = p;
      const keep = (b: Buffer): void => {
        out = (out + b.toString()).slice(-8000);
      };
      p.stdout?.on('data', keep);
      p.stderr?.on('data', keep);
      p.once('exit', () => {
        if (proc === p) proc = undefined;
      });
      for (let i = 0; i < 200; i++) {
        if (await ping()) return;
        if (!proc) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`influxd did not answer /ping on ${url}:\n${out}`);
    },
    async stop() {
      const p = proc;
      if (!p) return;
      const exited = new Promise<void>((r) => p.once('exit', () => r()));
      p.kill('SIGTERM');
      const t = setTimeout(() => p.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
      proc = undefined;
    },
    async close() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    output: () => out,
  };
  await server.start();
  return server;
}

/** Runs an InfluxQL query over HTTP and returns the first series' rows as objects (no client library: an independent reader). */
export async function influxQuery(url: string, db: string, q: string): Promise<Array<Record<string, unknown>>> {
  const r = await fetch(`${url}/query?db=${encodeURIComponent(db)}&epoch=ms&q=${encodeURIComponent(q)}`);
  const body = (await r.json()) as {
    results?: Array<{ error?: string; series?: Array<{ columns: string[]; values?: unknown[][]; tags?: Record<string, string> }> }>;
  };
  const res = body.results?.[0];
  if (res?.error) throw new Error(`InfluxQL error: ${res.error}`);
  const rows: Array<Record<string, unknown>> = [];
  for (const s of res?.series ?? [])
    for (const v of s.values ?? []) rows.push({ ...s.tags, ...Object.fromEntries(s.columns.map((c, i) => [c, v[i]])) });
  return rows;
}
