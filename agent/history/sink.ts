/**
 * The history sink: bus events → bounded ring → batched InfluxDB writes.
 * Listeners run on the hot path, so they only build a point and push it
 * (O(1), synchronous, no I/O). One timer drains the ring; at most one write
 * is in flight. When InfluxDB is slow or down the ring fills and sheds by its
 * overflow policy (counted), detection never waits, and start() never fails:
 * the database and retention policy are (re)created when InfluxDB appears.
 */
import { InfluxDB, type IPoint } from 'influx';
import type { Logger } from 'pino';
import type { HistoryConfig } from '../config/sections/history.js';
import { errMessage } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Service } from '../controller.js';
import { Downsampler } from './downsample.js';
import { historyMetrics } from './metrics.js';
import { alertPoint, detectionPoint, healthPoint, phasePoint, scorePoint } from './points.js';
import { BoundedRing } from './ring.js';

export type HistoryState = 'starting' | 'up' | 'down';
export type DropReason = 'overflow' | 'rejected' | 'stop';

/** Counters, read by /metrics and health. */
export interface HistoryCounters {
  written: number;
  writeErrors: number;
  batches: number;
  dropped: Record<DropReason, number>;
}

/** The pool must never park the host: our own retry timer decides when to try again, and no stray timer outlives stop(). */
const NO_BACKOFF = {
  getDelay: () => 0,
  next() {
    return this;
  },
  reset() {
    return this;
  },
};

export class HistorySink implements Service {
  readonly name = 'history';
  readonly counters: HistoryCounters = { written: 0, writeErrors: 0, batches: 0, dropped: { overflow: 0, rejected: 0, stop: 0 } };
  state: HistoryState = 'starting';
  lastError: string | undefined;
  readonly metrics = historyMetrics(this);
  readonly ring: BoundedRing<IPoint>;
  private readonly influx: InfluxDB;
  private readonly log: Logger;
  private readonly down: Downsampler;
  private schemaReady = false;
  private busy: Promise<void> | null = null;
  private retryAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private kicked = false;
  private halted = false;
  private offs: Array<() => void> = [];

  constructor(
    readonly cfg: HistoryConfig & { url: string },
    private readonly bus: EventBus,
    log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.log = log.child({ module: 'history' });
    this.ring = new BoundedRing<IPoint>(cfg.buffer.maxPoints, cfg.buffer.overflow);
    this.down = new Downsampler(cfg.downsample.default.everyMs, cfg.downsample.assets);
    const u = new URL(cfg.url);
    this.influx = new InfluxDB({
      hosts: [
        {
          host: u.hostname,
          port: Number(u.port || (u.protocol === 'https:' ? 443 : 8086)),
          protocol: u.protocol === 'https:' ? 'https' : 'http',
          path: u.pathname === '/' ? '' : u.pathname,
        },
      ],
      database: cfg.database,
      // URL credentials are accepted as a convenience; the explicit fields win.
      username: cfg.username ?? (u.username ? decodeURIComponent(u.username) : undefined),
      password: cfg.password ?? (u.password ? decodeURIComponent(u.password) : undefined),
      pool: { maxRetries: 0, requestTimeout: cfg.requestTimeoutMs, backoff: NO_BACKOFF },
    });
  }

  /** Subscribes and returns at once; schema creation and writes happen in the background. */
  async start(): Promise<void> {
    const w = this.cfg.write;
    if (w.samples) this.offs.push(this.bus.on('sample', (s) => this.push(this.down.add(s))));
    if (w.scores || w.detections) {
      this.offs.push(
        this.bus.on('decision', (d) => {
          if (d.phase !== 'detecting') return;
          if (w.scores) this.push(scorePoint(d));
          if (w.detections && d.anomalous) this.push(detectionPoint(d));
        }),
      );
    }
    if (w.alerts) this.offs.push(this.bus.on('alert', (e) => this.push(alertPoint(e, this.now()))));
    if (w.events) {
      this.offs.push(this.bus.on('phase', (e) => this.push(phasePoint(e, this.now()))));
      this.offs.push(this.bus.on('health', (e) => e.kind !== 'history' && this.push(healthPoint(e, this.now()))));
    }
    this.timer = setInterval(() => void this.kick(), this.cfg.flushIntervalMs);
    this.timer.unref();
    void this.kick();
  }

  /** Hot path: O(1), never throws, never waits. */
  private push(p: IPoint | undefined): void {
    if (!p) return;
    this.counters.dropped.overflow += this.ring.push(p);
    if (!this.kicked && this.ring.size >= this.cfg.batchSize && this.busy === null) {
      this.kicked = true;
      setImmediate(() => void this.kick());
    }
  }

  /** Starts a drain unless one is running; the returned promise settles when it ends. */
  kick(): Promise<void> {
    this.kicked = false;
    if (this.busy) return this.busy;
    if (this.now() < this.retryAt) return Promise.resolve();
    this.busy = this.drain().finally(() => {
      this.busy = null;
    });
    return this.busy;
  }

  private async drain(): Promise<void> {
    if (!this.schemaReady && !(await this.ensureSchema())) return;
    while (this.ring.size > 0 && this.schemaReady && !this.halted) {
      const batch = this.ring.take(this.cfg.batchSize);
      if (!(await this.write(batch))) return;
    }
  }

  private async ensureSchema(): Promise<boolean> {
    const rp = this.cfg.retentionPolicy;
    try {
      if (rp.create) {
        const dbs = await this.influx.getDatabaseNames();
        if (!dbs.includes(this.cfg.database)) await this.influx.createDatabase(this.cfg.database);
        const rps = await this.influx.showRetentionPolicies(this.cfg.database);
        if (!rps.some((r) => r.name === rp.name)) {
          await this.influx.createRetentionPolicy(rp.name, {
            database: this.cfg.database,
            duration: rp.duration,
            replication: rp.replication,
            isDefault: rp.makeDefault,
          });
          this.log.info({ database: this.cfg.database, retentionPolicy: rp.name, duration: rp.duration }, 'retention policy created');
        }
      } else {
        // The user manages the schema (e.g. InfluxDB 2.x DBRP mapping): just check reachability.
        await this.influx.ping(this.cfg.requestTimeoutMs).then((h) => {
          if (!h.some((x) => x.online)) throw new Error('InfluxDB did not answer /ping');
        });
      }
      this.schemaReady = true;
      this.setState('up');
      return true;
    } catch (err) {
      this.failed(err, 'InfluxDB schema check failed');
      return false;
    }
  }

  /** Writes one batch; on a retryable failure the batch goes back to the front of the ring. */
  private async write(batch: IPoint[]): Promise<boolean> {
    try {
      await this.influx.writePoints(batch, {
        database: this.cfg.database,
        retentionPolicy: this.cfg.retentionPolicy.name,
        precision: 'ms',
      });
      this.counters.written += batch.length;
      this.counters.batches++;
      this.setState('up');
      return true;
    } catch (err) {
      const status = (err as { res?: { statusCode?: number } }).res?.statusCode;
      const msg = errMessage(err);
      if (status !== undefined && status >= 400 && status < 500 && status !== 401 && status !== 403 && !/not found/.test(msg)) {
        // A bad batch (type conflict, malformed point) would fail forever: shed it, count it.
        this.counters.writeErrors++;
        this.counters.dropped.rejected += batch.length;
        this.log.error({ err: msg, points: batch.length }, 'InfluxDB rejected a history batch; dropped');
        return true;
      }
      if (/not found/.test(msg)) this.schemaReady = false;
      this.counters.dropped.overflow += this.ring.putBack(batch);
      this.failed(err, 'history write failed; buffering');
      return false;
    }
  }

  private failed(err: unknown, what: string): void {
    this.counters.writeErrors++;
    this.lastError = errMessage(err);
    this.retryAt = this.now() + this.cfg.retryIntervalMs;
    if (this.state !== 'down') this.log.warn({ err: this.lastError, buffered: this.ring.size }, what);
    this.setState('down');
  }

  private setState(s: HistoryState): void {
    if (s === this.state) return;
    const was = this.state;
    this.state = s;
    if (s === 'up') {
      this.lastError = undefined;
      if (was === 'down') this.log.info({ buffered: this.ring.size }, 'InfluxDB reachable again; writing history');
    }
    // Tell health listeners on transitions only (never per failed write).
    if (was !== 'starting' || s === 'down') {
      this.bus.emit('health', {
        kind: 'history',
        ok: s === 'up',
        message:
          s === 'up'
            ? 'history writes resumed'
            : `InfluxDB unreachable (${this.lastError ?? 'unknown'}); buffering up to ${this.ring.capacity} points`,
      });
    }
  }

  /** Details for /healthz; the component state (InfluxDB down → history degraded) goes through the `health` bus event. */
  health(): Record<string, unknown> {
    return {
      state: this.state,
      buffered: this.ring.size,
      capacity: this.ring.capacity,
      written: this.counters.written,
      dropped: { ...this.counters.dropped },
      writeErrors: this.counters.writeErrors,
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  /** Unsubscribes, then tries one last drain bounded by the request timeout; what is left is counted as dropped. */
  async stop(): Promise<void> {
    for (const off of this.offs) off();
    this.offs = [];
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const p of this.down.drain()) this.counters.dropped.overflow += this.ring.push(p);
    await this.busy;
    if (this.ring.size > 0 && this.state !== 'down') {
      this.retryAt = 0;
      const deadline = new Promise<void>((r) => setTimeout(r, this.cfg.requestTimeoutMs).unref());
      await Promise.race([this.kick(), deadline]);
      // Past the deadline: let the request in flight finish (bounded by its timeout), start no more.
      this.halted = true;
      await this.busy;
    }
    const left = this.ring.take(this.ring.size).length;
    this.counters.dropped.stop += left;
    if (left) this.log.warn({ points: left }, 'history points not written at stop');
  }
}
