/**
 * The on-disk outbox: every alert is committed here before it counts as
 * decided, and leaves only when the upstream broker acknowledged it (PUBACK).
 * SQLite in WAL mode: a committed row survives kill -9 (the WAL is in the
 * kernel's page cache) and, with synchronous=FULL, power loss (the WAL is
 * fsynced at each commit). Bounded by count and bytes with an explicit
 * overflow policy; every eviction or refusal is counted and logged.
 */
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { OutboxConfig } from '../config/sections/uplink.js';

/**
 * What the outbox needs to know of a queued message: its id (unique, so a
 * retried commit is not queued twice), the asset whose order it keeps and
 * its lifecycle state (the overflow policy evicts by state). The payload is
 * opaque JSON here: persistence knows nothing of alerts.
 */
export interface OutboxItem {
  id: string;
  asset: string;
  state: string;
}

/** One queued message. */
export interface OutboxRow<T extends OutboxItem = OutboxItem> {
  seq: number;
  id: string;
  asset: string;
  state: T['state'];
  alert: T;
  bytes: number;
  replayed: boolean;
}

/** What the uplink may do with the outbox: read the ready heads, acknowledge, and say whether it is online. */
export interface OutboxReader<T extends OutboxItem = OutboxItem> {
  readyHeads(): Array<OutboxRow<T>>;
  ack(seq: number): void;
  setOnline(online: boolean): void;
  isOpen(): boolean;
  onReady(fn: () => void): void;
  stats(): OutboxStats;
}

export interface OutboxStats {
  queued: number;
  bytes: number;
  maxCount: number;
  maxBytes: number;
  overflow: OutboxConfig['overflow'];
  enqueued: number;
  acked: number;
  /** Evicted by the overflow policy (lifetime of the state dir). */
  dropped: number;
  /** Refused by the overflow policy (lifetime of the state dir). */
  rejected: number;
}

/** What the overflow policy did, for the caller's health event. */
export interface OverflowEvent {
  action: 'dropped' | 'rejected';
  id: string;
  asset: string;
  state: string;
}

interface RawRow {
  seq: number;
  id: string;
  asset: string;
  state: string;
  payload: string;
  bytes: number;
  replayed: number;
}

const EVICT_ORDER: Record<OutboxConfig['overflow'], string[]> = {
  'drop-oldest-resolved-first': ['resolved', 'update', 'open'],
  'drop-oldest': [],
  'reject-new': [],
};

export class Outbox<T extends OutboxItem = OutboxItem> implements OutboxReader<T> {
  private db: Database.Database | null = null;
  private online = false;
  private count = 0;
  private bytes = 0;
  private readonly c = { enqueued: 0, acked: 0, dropped: 0, rejected: 0 };
  private readonly readyListeners: Array<() => void> = [];
  private readonly overflowListeners: Array<(e: OverflowEvent) => void> = [];

  constructor(
    private readonly cfg: OutboxConfig,
    private readonly log: Logger,
    /**
     * Runs each database operation; the state store passes one that moves to
     * memory on a storage fault and runs it again (store.ts). Identity here.
     */
    private readonly guard: <R>(fn: () => R) => R = (fn) => fn(),
  ) {}

  /**
   * Attach to an open database (the state store's: shared with the alert
   * state, so both commit atomically). `restart` is true at start-up, false
   * when the store moved between disk and memory mid-run.
   */
  attach(db: Database.Database, restart: boolean): void {
    this.db = db;
    this.stmts.clear();
    // Rows left by a previous run: their summary wait is over (the template one is stored),
    // and anything sent from now on is late, so it says so.
    if (restart) db.prepare('UPDATE outbox SET ready = 1, replayed = 1').run();
    const agg = db.prepare('SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b FROM outbox').get() as { n: number; b: number };
    this.count = agg.n;
    this.bytes = agg.b;
    for (const r of db.prepare('SELECT key, value FROM outbox_meta').all() as Array<{ key: string; value: number }>) {
      if (r.key === 'dropped') this.c.dropped = r.value;
      if (r.key === 'rejected') this.c.rejected = r.value;
    }
  }

  private get d(): Database.Database {
    if (!this.db) throw new Error('outbox used before attach()');
    return this.db;
  }

  /** Prepared once per SQL text and reused (preparing costs more than running these small statements). */
  private readonly stmts = new Map<string, Database.Statement>();
  private st(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.d.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  /**
   * Insert an alert (call inside the caller's transaction). `ready=false`
   * holds it back until finalize() (waiting for its summary) and blocks later
   * alerts of the same asset, which keeps per-asset order. Returns the row
   * seq, or null when the overflow policy refused it.
   */
  enqueue(alert: T, opts: { ready: boolean }): number | null {
    return this.guard(() => this.insert(alert, opts));
  }

  private insert(alert: T, opts: { ready: boolean }): number | null {
    const payload = JSON.stringify(alert);
    const bytes = Buffer.byteLength(payload);
    if (!this.makeRoom(bytes, alert)) return null;
    const info = this.st(
      'INSERT INTO outbox (id, asset, state, payload, bytes, ready, replayed, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING',
    ).run(alert.id, alert.asset, alert.state, payload, bytes, opts.ready ? 1 : 0, this.online ? 0 : 1, Date.now());
    if (info.changes === 0) return null; // same id already queued: a retry of the same decision
    this.count++;
    this.bytes += bytes;
    this.c.enqueued++;
    if (opts.ready) this.emitReady();
    return Number(info.lastInsertRowid);
  }

  /** Store the final payload (with its summary) and release the row for delivery. */
  finalize(seq: number, alert: T): void {
    this.guard(() => this.release(seq, alert));
  }

  private release(seq: number, alert: T): void {
    const payload = JSON.stringify(alert);
    const bytes = Buffer.byteLength(payload);
    const old = this.st('SELECT bytes FROM outbox WHERE seq = ?').get(seq) as { bytes: number } | undefined;
    if (!old) return; // evicted by the overflow policy meanwhile (already counted)
    this.st('UPDATE outbox SET payload = ?, bytes = ?, ready = 1 WHERE seq = ?').run(payload, bytes, seq);
    this.bytes += bytes - old.bytes;
    this.emitReady();
  }

  /** The oldest row of every asset, if it is ready, oldest first. */
  readyHeads(): Array<OutboxRow<T>> {
    const rows = this.guard(() => this.heads());
    return rows.map((r) => ({
      seq: r.seq,
      id: r.id,
      asset: r.asset,
      state: r.state,
      alert: JSON.parse(r.payload) as T,
      bytes: r.bytes,
      replayed: r.replayed === 1,
    }));
  }

  private heads(): RawRow[] {
    return this.st(
      `SELECT o.seq, o.id, o.asset, o.state, o.payload, o.bytes, o.replayed FROM outbox o
         JOIN (SELECT asset, MIN(seq) AS s FROM outbox GROUP BY asset) h ON o.seq = h.s
         WHERE o.ready = 1 ORDER BY o.seq`,
    ).all() as RawRow[];
  }

  /** Remove a row: only called on PUBACK (or when the egress gate refused it for good). */
  ack(seq: number): void {
    this.guard(() => this.remove(seq));
  }

  private remove(seq: number): void {
    const row = this.st('DELETE FROM outbox WHERE seq = ? RETURNING bytes').get(seq) as { bytes: number } | undefined;
    if (!row) return;
    this.count--;
    this.bytes -= row.bytes;
    this.c.acked++;
  }

  /**
   * Set by the uplink. While offline, new rows are flagged replayed (they
   * will be sent late); going offline marks everything still queued as late.
   */
  setOnline(online: boolean): void {
    this.online = online;
    if (!online && this.db) this.guard(() => this.st('UPDATE outbox SET replayed = 1 WHERE replayed = 0').run());
  }

  isOpen(): boolean {
    return this.db !== null;
  }

  /** Forget the database handle (its owner closes it). */
  detach(): void {
    this.db = null;
    this.stmts.clear();
  }

  onReady(fn: () => void): void {
    this.readyListeners.push(fn);
  }

  onOverflow(fn: (e: OverflowEvent) => void): void {
    this.overflowListeners.push(fn);
  }

  stats(): OutboxStats {
    return {
      queued: this.count,
      bytes: this.bytes,
      maxCount: this.cfg.maxCount,
      maxBytes: this.cfg.maxBytes,
      overflow: this.cfg.overflow,
      ...this.c,
    };
  }

  /** Apply the overflow policy until `bytes` more fit; false = the new alert is refused. */
  private makeRoom(bytes: number, alert: T): boolean {
    const fits = (): boolean => this.count + 1 <= this.cfg.maxCount && this.bytes + bytes <= this.cfg.maxBytes;
    if (fits()) return true;
    if (this.cfg.overflow === 'reject-new' || bytes > this.cfg.maxBytes) {
      this.c.rejected++;
      this.bumpMeta('rejected');
      this.overflow({ action: 'rejected', id: alert.id, asset: alert.asset, state: alert.state });
      return false;
    }
    while (!fits() && this.count > 0) {
      const victim = this.pickVictim();
      if (!victim) break;
      this.st('DELETE FROM outbox WHERE seq = ?').run(victim.seq);
      this.count--;
      this.bytes -= victim.bytes;
      this.c.dropped++;
      this.bumpMeta('dropped');
      this.overflow({ action: 'dropped', id: victim.id, asset: victim.asset, state: victim.state });
    }
    return fits();
  }

  private pickVictim(): { seq: number; id: string; asset: string; state: string; bytes: number } | undefined {
    for (const state of EVICT_ORDER[this.cfg.overflow]) {
      const v = this.st('SELECT seq, id, asset, state, bytes FROM outbox WHERE state = ? ORDER BY seq LIMIT 1').get(state);
      if (v) return v as { seq: number; id: string; asset: string; state: string; bytes: number };
    }
    return this.st('SELECT seq, id, asset, state, bytes FROM outbox ORDER BY seq LIMIT 1').get() as
      { seq: number; id: string; asset: string; state: string; bytes: number } | undefined;
  }

  private bumpMeta(key: 'dropped' | 'rejected'): void {
    this.st('INSERT INTO outbox_meta (key, value) VALUES (?, 1) ON CONFLICT(key) DO UPDATE SET value = value + 1').run(key);
  }

  private overflow(e: OverflowEvent): void {
    this.log.warn({ ...e, policy: this.cfg.overflow, queued: this.count, bytes: this.bytes }, 'outbox full: overflow policy applied');
    for (const fn of this.overflowListeners) fn(e);
  }

  /** Deferred to a microtask: callers may be inside a transaction that has not committed yet. */
  private emitReady(): void {
    queueMicrotask(() => {
      for (const fn of this.readyListeners) fn();
    });
  }
}
