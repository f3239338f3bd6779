/**
 * Child processes of the perf bench: spawning TypeScript entry points with an
 * IPC channel, typed request/response over it, and what /proc says about a
 * process (CPU ticks, resident memory).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Wall clock with sub-millisecond precision, shared by every process on the box. */
export const wall = (): number => performance.timeOrigin + performance.now();

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A child with an IPC channel whose messages can be awaited by type. */
export class Proc<In extends { type: string }, Out extends { type: string }> {
  readonly child: ChildProcess;
  readonly spawnedAt = wall();
  private waiters: Array<{
    type: string;
    match: ((m: Out) => boolean) | undefined;
    resolve: (m: Out) => void;
    reject: (e: Error) => void;
    timer: NodeJS.Timeout;
  }> = [];
  private tail: string[] = [];
  exited = false;

  constructor(
    readonly name: string,
    cmd: string,
    args: string[],
    opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
  ) {
    this.child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const keep = (b: Buffer): void => {
      // The last lines a child printed go into any error about it.
      this.tail.push(
        ...b
          .toString('utf8')
          .split('\n')
          .filter((l) => l.trim() !== ''),
      );
      if (this.tail.length > 30) this.tail.splice(0, this.tail.length - 30);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.child.on('message', (m: Out) => {
      const i = this.waiters.findIndex((w) => w.type === m.type && (!w.match || w.match(m)));
      if (i < 0) return;
      const [w] = this.waiters.splice(i, 1);
      clearTimeout(w!.timer);
      w!.resolve(m);
    });
    this.child.on('exit', (code, sig) => {
      this.exited = true;
      for (const w of this.waiters.splice(0)) {
        clearTimeout(w.timer);
        w.reject(new Error(`${this.name} exited (${code ?? sig}) while waiting for '${w.type}':\n${this.tail.join('\n')}`));
      }
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  send(m: In): void {
    if (!this.exited) this.child.send(m);
  }

  /** Resolves with the next message of `type` (that `match` accepts), or rejects after `ms` with the child's last output. */
  next<T extends Out['type']>(type: T, ms = 30_000, match?: (m: Extract<Out, { type: T }>) => boolean): Promise<Extract<Out, { type: T }>> {
    return new Promise((resolve, reject) => {
      if (this.exited) return reject(new Error(`${this.name} is not running:\n${this.tail.join('\n')}`));
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        reject(new Error(`${this.name}: no '${type}' within ${ms} ms:\n${this.tail.join('\n')}`));
      }, ms);
      this.waiters.push({ type, match: match as ((m: Out) => boolean) | undefined, resolve: resolve as (m: Out) => void, reject, timer });
    });
  }

  async request<T extends Out['type']>(
    m: In,
    type: T,
    ms?: number,
    match?: (m: Extract<Out, { type: T }>) => boolean,
  ): Promise<Extract<Out, { type: T }>> {
    const p = this.next(type, ms, match);
    this.send(m);
    return p;
  }

  lastOutput(): string {
    return this.tail.join('\n');
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async kill(graceMs = 5000): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(t);
  }
}

/**
 * Spawns a TypeScript entry point under tsx with an IPC channel; with `nice`
 * ≠ 0 through nice(1), which execs node, so the pid is node's.
 */
export function spawnTs<In extends { type: string }, Out extends { type: string }>(
  name: string,
  file: string,
  args: string[],
  nodeArgs: string[] = [],
  nice = 0,
): Proc<In, Out> {
  const argv = [...nodeArgs, '--import', 'tsx', file, ...args];
  return nice
    ? new Proc<In, Out>(name, 'nice', ['-n', String(nice), process.execPath, ...argv])
    : new Proc<In, Out>(name, process.execPath, argv);
}

const TICK_HZ = 100; // USER_HZ on Linux

/** utime + stime of a process in seconds (/proc/<pid>/stat), NaN when it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // Fields after "(comm) ": state is index 0, so utime (field 14) is 11 and stime (15) is 12.
    return (Number(f[11]) + Number(f[12])) / TICK_HZ;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return NaN;
    throw err;
  }
}

/** Resident set size of a process in MB (VmRSS in /proc/<pid>/status). */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : NaN;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return NaN;
    throw err;
  }
}

/** Samples a process's RSS every `everyMs` until stopped; returns the peak and every sample. */
export function rssSampler(pid: number, everyMs = 250): { stop(): { peak: number; samples: Array<[number, number]> } } {
  const samples: Array<[number, number]> = [];
  const take = (): void => {
    const r = rssMb(pid);
    if (Number.isFinite(r)) samples.push([Date.now(), r]);
  };
  take();
  const t = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(t);
      take();
      return { peak: samples.reduce((m, [, r]) => Math.max(m, r), 0), samples };
    },
  };
}

/** A free TCP port on 127.0.0.1 (for Node-RED's HTTP server, which cannot take port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** The pid of the local Mosquitto (from /proc/<pid>/comm), 0 when none is found. */
export function brokerPid(): number {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'mosquitto') return Number(d);
    } catch (err) {
      // A process that exited between readdir and read is not an error here.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
  return 0;
}

/** Nanoseconds the process's main thread has waited on a run queue (/proc/<pid>/schedstat, field 2): CPU contention. */
export function runQueueWaitS(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return NaN;
    throw err;
  }
}
