/**
 * The chaos bench's upstream: a second Mosquitto (Debian's) on its own port, with persistence on, that the
 * bench stops (SIGTERM: it saves its database) and starts again on the same port and database. A QoS 1
 * message the broker acknowledged to the agent therefore survives an outage until the subscriber takes it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { sleep } from '../perf/procs.js';

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

export class Upstream {
  private child: ChildProcess | undefined;
  private out = '';
  private readonly conf: string;
  /** Starts and stops so far (outages). */
  outages = 0;

  constructor(
    dir: string,
    readonly port: number,
  ) {
    mkdirSync(join(dir, 'upstream-db'), { recursive: true });
    this.conf = join(dir, 'upstream.conf');
    writeFileSync(
      this.conf,
      [
        `listener ${port} 127.0.0.1`,
        'allow_anonymous true',
        'set_tcp_nodelay true',
        'persistence true',
        `persistence_location ${join(dir, 'upstream-db')}/`,
        'autosave_interval 1',
        'max_queued_messages 0',
        'max_inflight_messages 100',
        'log_dest stderr',
        'log_type error',
        '',
      ].join('\n'),
    );
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  async start(): Promise<void> {
    if (this.child) return;
    const child = spawn('mosquitto', ['-c', this.conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (b: Buffer) => (this.out = (this.out + b.toString()).slice(-4000)));
    child.stderr?.on('data', (b: Buffer) => (this.out = (this.out + b.toString()).slice(-4000)));
    this.child = child;
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null) throw new Error(`upstream mosquitto exited (${child.exitCode}): ${this.out}`);
      if (await accepts(this.port)) return;
      await sleep(25);
    }
    throw new Error(`upstream mosquitto does not accept connections on ${this.port}: ${this.out}`);
  }

  /** A clean stop (SIGTERM): Mosquitto writes its persistence file, as a service manager would have it. */
  async stop(): Promise<void> {
    const c = this.child;
    if (!c) return;
    this.child = undefined;
    this.outages++;
    if (c.exitCode !== null) return;
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(t);
  }
}
