/**
 * The fleet bench's brokers: Debian's Mosquitto started from a generated
 * config on a free port (one central, one edge broker per site bridged to
 * it), and a TCP relay in front of the central broker for each bridge, so
 * one site's WAN link can be cut and restored without touching a broker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net, { type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { freePort, sleep } from '../perf/procs.js';

/** A Mosquitto process we started. */
export interface Broker {
  name: string;
  port: number;
  url: string;
  pid: number;
  /** Everything Mosquitto logged (stderr/stdout), for errors. */
  log(): string;
  stop(): Promise<void>;
}

/** The bridge section of an edge broker: what crosses to the central broker, and how. */
export interface BridgeSpec {
  site: string;
  /** host:port the bridge connects to (the relay). */
  address: string;
  prefix: string;
}

/**
 * Bridged topics are listed one by one rather than `<prefix>/#`: alerts,
 * statuses and command results go out; command bundles come in. A wider
 * `out` pattern would also match the incoming commands and send them back.
 */
function bridgeSection(b: BridgeSpec): string {
  const s = `${b.prefix}/${b.site}`;
  return [
    `connection central-${b.site}`,
    `address ${b.address}`,
    `clientid bridge-${b.site}`,
    // A persistent session on both sides: QoS 1 messages wait on the edge while the link is down.
    'cleansession false',
    'try_private true',
    // Reconnect within 1–2 s of the link coming back (the 2.0 default backs off to 30 s).
    'restart_timeout 1 2',
    'keepalive_interval 10',
    `topic ${s}/+/alert out 1`,
    `topic ${s}/status out 1`,
    `topic ${s}/+/status out 1`,
    `topic ${s}/+/cmd/result out 1`,
    `topic ${s}/+/cmd/config in 1`,
    `topic ${s}/+/cmd/model in 1`,
  ].join('\n');
}

/** Start Mosquitto on a free port (under nice(1) when `nice` ≠ 0); `bridge` makes it an edge broker. Resolves once it accepts connections. */
export async function startMosquitto(name: string, dir: string, bridge?: BridgeSpec, nice = 0): Promise<Broker> {
  const port = await freePort();
  const conf = join(dir, `${name}.conf`);
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'set_tcp_nodelay true',
      'persistence false',
      // Queue without a count limit while a bridge (or a consumer) is away; the bench measures what this costs.
      'max_queued_messages 0',
      'max_inflight_messages 100',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      ...(bridge ? [bridgeSection(bridge)] : []),
      '',
    ].join('\n'),
  );
  // nice(1) execs mosquitto, so the pid is the broker's (its CPU is read from /proc/<pid>).
  const argv = nice ? ['nice', '-n', String(nice), 'mosquitto', '-c', conf] : ['mosquitto', '-c', conf];
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  for (let i = 0; i < 100 && !(await accepts(port)); i++) {
    if (child.exitCode !== null) throw new Error(`mosquitto ${name} exited (${child.exitCode}): ${out}`);
    await sleep(50);
  }
  if (!(await accepts(port))) throw new Error(`mosquitto ${name} does not accept connections on ${port}: ${out}`);
  return {
    name,
    port,
    url: `mqtt://127.0.0.1:${port}`,
    pid: child.pid ?? 0,
    log: () => out,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** A TCP relay to `target` that can cut the link (drop connections, refuse new ones) and restore it on the same port. */
export class Relay {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly targetPort: number) {}

  async start(port = 0): Promise<void> {
    const server = net.createServer((a) => {
      const b = net.connect(this.targetPort, '127.0.0.1');
      a.setNoDelay(true);
      b.setNoDelay(true);
      for (const s of [a, b]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        // A reset on one side is the link failing: close the other side too (errors are the expected outcome here).
        s.on('error', () => (s === a ? b : a).destroy());
      }
      a.pipe(b);
      b.pipe(a);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** The link goes down: every connection through it is reset and new ones are refused. */
  async cut(): Promise<void> {
    const s = this.server;
    this.server = null;
    for (const x of this.sockets) x.destroy();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  /** The link comes back on the same port. */
  async heal(): Promise<void> {
    await this.start(this.port);
  }

  async stop(): Promise<void> {
    await this.cut();
  }
}
