/**
 * The main thread's side of the hot thread (worker.ts): starts it, turns its
 * batches back into bus events (`decision` — the cold path's input —,
 * `sample`, `phase`, `health`), persists the baselines it learns, keeps its
 * phases and plant connection state for /healthz and /metrics, and forwards
 * refits and local-action commands to it. A hot thread that dies is restarted
 * (with backoff), detection resuming from the saved baselines.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { BaselineStore } from '../detect/store.js';
import { EdgeError, errMessage } from '../errors.js';
import type { EventBus } from '../events.js';
import type { AgentStats } from '../observe/stats.js';
import { workerEntry } from '../workers.js';
import type { SparkplugNodeStatus } from '../ingest/sparkplug/host.js';
import type { FromHot, HotInit, PhaseInfo, SampleBatch, ToHot } from './protocol.js';

/** A plant-connection event, for the health registry (the MQTT source's own). */
export type ConnectionEvent = { type: 'up' } | { type: 'down' } | { type: 'error'; err: Error };

/** What the controller, /healthz and /metrics need of the hot path, in its own thread (HotThread) or in process (inline.ts). */
export interface HotPath {
  /** Loads the model: a model that does not load fails start-up here, before the other services start. */
  prepare(): Promise<void>;
  /** Connects to the plant broker and starts deciding (after every consumer is ready). */
  start(): Promise<void>;
  stop(): Promise<void>;
  phases(): PhaseInfo[];
  /** Forgets an asset's baseline so it learns again; false when the asset is unknown. */
  refit(asset: string): boolean;
  /** Publishes on the plant broker (local actions; never upstream). */
  publishLocal(topic: string, payload: Buffer, qos: 0 | 1): void;
  readonly plantConnected: boolean;
  /** The detector model's `name@version`, once loaded. */
  readonly modelLabel: string | null;
  /** The Sparkplug edge nodes the plant subscriptions see (empty without a sparkplug subscription). */
  sparkplugNodes(): SparkplugNodeStatus[];
  onConnection: ((e: ConnectionEvent) => void) | undefined;
}

/** Longest the model load, and the connect, may take. */
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const RESTART_MS = [1000, 2000, 5000, 10_000, 30_000];

export class HotThread implements HotPath {
  private worker: Worker | undefined;
  private readonly phaseMap = new Map<string, PhaseInfo>();
  private connected = false;
  private label: string | null = null;
  /** The hot thread's kernel thread id, and what detect.schedule did to it (null = nothing or it failed). */
  tid = 0;
  schedule: string | null = null;
  private wantSamples = false;
  onConnection: ((e: ConnectionEvent) => void) | undefined;
  private stopping = false;
  private restarts = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopped: (() => void) | undefined;
  private readonly assetNames: string[] = [];
  private readonly signalNames: string[] = [];
  private nodes: SparkplugNodeStatus[] = [];

  constructor(
    private readonly cfg: Config,
    private readonly stats: AgentStats,
    private readonly store: BaselineStore,
    private readonly bus: EventBus,
    private readonly log: Logger,
  ) {
    if (!(stats.buffer instanceof SharedArrayBuffer)) throw new EdgeError('E_STATE', 'the hot thread needs stats over a SharedArrayBuffer');
  }

  get plantConnected(): boolean {
    return this.connected;
  }

  get modelLabel(): string | null {
    return this.label;
  }

  /** Spawns the hot thread and resolves once its model is loaded. */
  async prepare(): Promise<void> {
    const w = this.spawn();
    await this.until(w, 'loaded');
  }

  /** Connects the hot thread to the plant broker; resolves once connected (or given up waiting: it keeps reconnecting). */
  async start(): Promise<void> {
    const w = this.worker;
    if (!w) throw new EdgeError('E_STATE', 'the hot thread is not running');
    // Raw samples cross the thread boundary only when something here listens to them (local history).
    this.wantSamples = this.bus.has('sample');
    this.send({ type: 'connect', samples: this.wantSamples });
    await this.until(w, 'ready');
  }

  /** Resolves on the worker's next message of `type`; rejects if it fails or exits first. */
  private until(w: Worker, type: 'loaded' | 'ready'): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => fail(new Error(`no '${type}' within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      const done = (): void => {
        clearTimeout(t);
        w.off('message', onMsg);
        w.off('error', fail);
        w.off('exit', onExit);
      };
      const onMsg = (m: FromHot): void => {
        if (m.type !== type) return;
        done();
        resolve();
      };
      const fail = (err: Error): void => {
        done();
        reject(new EdgeError('E_STATE', `the hot thread failed to start: ${err.message}`, { cause: err }));
      };
      const onExit = (code: number): void => fail(new Error(`it exited with code ${code}`));
      w.on('message', onMsg);
      w.once('error', fail);
      w.once('exit', onExit);
    });
  }

  private spawn(): Worker {
    const entry = workerEntry(import.meta.url, 'worker');
    const init: HotInit = { config: this.cfg, stats: this.stats.buffer as SharedArrayBuffer, baselines: this.store.all() };
    const w = new Worker(entry.entry, { workerData: init, eval: entry.eval, name: 'edge-sentinel-hot' });
    this.worker = w;
    w.on('message', (m: FromHot) => this.onMessage(m));
    w.on('error', (err) => this.log.error({ err: errMessage(err) }, 'hot thread crashed'));
    w.on('exit', (code) => this.onExit(w, code));
    return w;
  }

  private onMessage(m: FromHot): void {
    switch (m.type) {
      case 'decisions':
        for (const d of m.batch) this.bus.emit('decision', d);
        // The hot thread sheds when this falls behind (ports.ts): count what the cold path has taken.
        this.stats.decisionsConsumed += m.batch.length;
        return;
      case 'samples':
        return this.onSamples(m);
      case 'phases':
        this.phaseMap.clear();
        for (const p of m.phases) this.phaseMap.set(p.asset, p);
        return;
      case 'phase':
        this.phaseMap.set(m.event.asset, { ...m.event });
        this.bus.emit('phase', m.event);
        return;
      case 'health':
        this.bus.emit('health', m.event);
        return;
      case 'sparkplug':
        this.nodes = m.nodes;
        return;
      case 'stale':
        this.bus.emit('stale', m.event);
        return;
      case 'baseline':
        this.store.save(m.baseline);
        return;
      case 'connection':
        if (m.event !== 'error') this.connected = m.event === 'up';
        this.onConnection?.(m.event === 'error' ? { type: 'error', err: new Error(m.message ?? 'plant broker error') } : { type: m.event });
        return;
      case 'log':
        return this.relog(m.line);
      case 'loaded':
        this.label = m.modelLabel;
        this.tid = m.tid;
        this.schedule = m.schedule;
        return;
      case 'ready':
        this.restarts = 0;
        return;
      case 'stopped':
        this.stopped?.();
        return;
    }
  }

  private onSamples(m: SampleBatch): void {
    for (const [i, n] of m.assets) this.assetNames[i] = n;
    for (const [i, n] of m.signals) this.signalNames[i] = n;
    const d = m.data;
    for (let k = 0; k < m.count; k++) {
      const o = k * 4;
      this.bus.emit('sample', { asset: this.assetNames[d[o]!]!, signal: this.signalNames[d[o + 1]!]!, value: d[o + 2]!, ts: d[o + 3]! });
    }
    this.stats.samplesConsumed += m.count;
  }

  /** A pino line of the hot thread, written again through this thread's root logger (one destination, one format). */
  private relog(line: string): void {
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(line) as Record<string, unknown>;
    } catch (err) {
      this.log.warn({ err: errMessage(err), line: line.slice(0, 200) }, 'unreadable log line from the hot thread');
      return;
    }
    const { level, msg, time: _t, pid: _p, hostname: _h, ...rest } = rec;
    const fn = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }[Number(level)] as 'info' | undefined;
    this.log[fn ?? 'info'](rest, typeof msg === 'string' ? msg : '');
  }

  private onExit(w: Worker, code: number): void {
    if (this.worker !== w) return;
    this.worker = undefined;
    this.connected = false;
    this.stopped?.();
    if (this.stopping) return;
    const wait = RESTART_MS[Math.min(this.restarts++, RESTART_MS.length - 1)]!;
    this.log.error({ code, restartInMs: wait }, 'hot thread exited; restarting it');
    this.bus.emit('health', { kind: 'hot-thread', ok: false, message: `the hot thread exited (code ${code}); restarting in ${wait} ms` });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.stopping) void this.restart();
    }, wait);
    this.restartTimer.unref();
  }

  private async restart(): Promise<void> {
    try {
      await this.prepare();
      await this.start();
      this.bus.emit('health', { kind: 'hot-thread', ok: true, message: 'the hot thread was restarted' });
    } catch (err) {
      this.log.error({ err: errMessage(err) }, 'hot thread restart failed');
    }
  }

  phases(): PhaseInfo[] {
    return [...this.phaseMap.values()];
  }

  sparkplugNodes(): SparkplugNodeStatus[] {
    return this.nodes;
  }

  refit(asset: string): boolean {
    const had = this.phaseMap.delete(asset);
    this.store.forget(asset);
    this.send({ type: 'refit', asset });
    return had;
  }

  /** Publishes on the plant broker through the hot thread's connection (local-action rules). */
  publishLocal(topic: string, payload: Buffer, qos: 0 | 1): void {
    this.send({ type: 'publish', topic, payload, qos });
  }

  private send(m: ToHot): void {
    this.worker?.postMessage(m);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const w = this.worker;
    if (!w) return;
    const done = new Promise<void>((r) => (this.stopped = r));
    this.send({ type: 'stop' });
    const t = setTimeout(() => void w.terminate(), STOP_TIMEOUT_MS);
    await done;
    clearTimeout(t);
  }
}
