/**
 * The one owner of persistence: the SQLite handle, the per-asset alert state
 * and the outbox. Alerting writes through it (state + outbox row in one
 * transaction), the uplink reads ready rows and acknowledges them; neither
 * opens the database nor knows the other.
 *
 * Storage faults: when the disk refuses a write (full, read-only, I/O error)
 * the store moves everything it holds into an in-memory database with the
 * same schema and carries on there (so detection, alerting and delivery go
 * on; the alertStore component is down and alerts say `volatile`). Every
 * `retryMs` it tries the disk again and, once a write works, writes it all
 * back and returns to the disk. A damaged file at start-up is moved aside
 * and a new one created.
 */
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { OutboxConfig } from '../config/sections/uplink.js';
import { errMessage } from '../errors.js';
import type { HealthRegistry } from '../observe/health.js';
import { HEALTH_REASONS } from '../observe/health-reasons.js';
import { dumpRows, isCorrupt, loadRows, moveAside, openDiskDb, openMemoryDb, STATE_DB_FILE, storageFault } from './db.js';
import { Outbox, type OutboxItem } from './outbox.js';
import { AssetStates } from './states.js';

export interface StateStoreOptions {
  stateDir: string;
  outbox: OutboxConfig;
  /** Alerts are queued for an uplink; false keeps state only (enqueue is then the caller's choice not to make). */
  outboxEnabled: boolean;
  /** While in memory, how often to try the disk again, ms. */
  retryMs: number;
  log: Logger;
  /** Where the alertStore component reports (optional: Node-RED and replays run without one). */
  health?: HealthRegistry;
}

/** Memory seqs start far above any disk seq when the disk rows could not be read, so a later merge keeps both and their order. */
const MEMORY_SEQ_BASE = 1e12;

export class StateStore<T extends OutboxItem = OutboxItem, S extends { asset: string } = { asset: string }> {
  readonly file: string;
  readonly outbox: Outbox<T>;
  readonly states: AssetStates<S>;
  private db: Database.Database | null = null;
  private inMemory = false;
  /** True when the memory database holds everything the disk held (a recovery may then replace the disk's rows). */
  private complete = true;
  private depth = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly log: Logger;
  /** Database moves between disk and memory, for tests and the bench ledger. */
  readonly moves = { toMemory: 0, toDisk: 0 };

  constructor(private readonly o: StateStoreOptions) {
    this.file = join(o.stateDir, STATE_DB_FILE);
    this.log = o.log.child({ module: 'state' });
    this.outbox = new Outbox<T>(o.outbox, o.log.child({ module: 'outbox' }), this.guard);
    this.states = new AssetStates<S>(this.guard);
  }

  get outboxEnabled(): boolean {
    return this.o.outboxEnabled;
  }

  /** True while state lives only in memory (the disk refused writes): a restart now would lose it. */
  get volatile(): boolean {
    return this.inMemory;
  }

  /** Opens the database; never throws for a storage fault (the store then starts in memory and says so). */
  start(): void {
    this.o.health?.register('alertStore', `alert state and outbox in ${this.file}`);
    let db: Database.Database;
    try {
      db = this.openDisk();
    } catch (err) {
      if (!storageFault(err)) throw err;
      this.complete = false;
      this.enterMemory(err, null);
      return;
    }
    this.attachAll(db, true);
  }

  /** Runs `fn` in one transaction (on disk, or in memory after a storage fault). */
  transaction<R>(fn: () => R): R {
    return this.guard(() => this.handle.transaction(fn)());
  }

  /**
   * Runs a database operation; on a storage fault moves to memory and runs
   * it again there. Re-entrant: an operation inside a transaction lets the
   * error reach the outermost guard, which reruns the whole transaction.
   */
  readonly guard = <R>(fn: () => R): R => {
    if (this.depth > 0) return fn();
    this.depth++;
    try {
      return fn();
    } catch (err) {
      if (this.inMemory || !storageFault(err)) throw err;
      this.enterMemory(err, this.db);
      return fn();
    } finally {
      this.depth--;
    }
  };

  /** Tries the disk again now; true when the store is on disk afterwards. */
  tryDisk(): boolean {
    if (!this.inMemory || !this.db) return !this.inMemory;
    let disk: Database.Database | undefined;
    try {
      disk = this.openDisk();
      loadRows(disk, dumpRows(this.db), this.complete);
    } catch (err) {
      disk?.close();
      const f = storageFault(err);
      if (f) this.report(f.reason, `${f.what} (${errMessage(err)})`);
      else this.log.error({ err: errMessage(err), file: this.file }, 'writing the in-memory state back failed');
      return false;
    }
    const mem = this.db;
    const queued = this.outbox.stats().queued;
    this.attachAll(disk, false);
    mem.close();
    this.inMemory = false;
    this.complete = true;
    this.moves.toDisk++;
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.retryTimer = undefined;
    this.o.health?.clear('alertStore', 'disk', `${this.file} writable again; ${queued} queued alerts and the alert state written back`);
    return true;
  }

  /** Writes memory back if it can, then closes. What cannot be written back is lost, and said so. */
  stop(): void {
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.retryTimer = undefined;
    if (this.inMemory && !this.tryDisk()) {
      this.log.error(
        { file: this.file, queued: this.outbox.stats().queued },
        'stopping with alert state and outbox only in memory: they are lost (the state dir is still not writable)',
      );
    }
    this.outbox.detach();
    this.states.detach();
    this.db?.close();
    this.db = null;
  }

  private get handle(): Database.Database {
    if (!this.db) throw new Error('state store used before start()');
    return this.db;
  }

  /** Opens the file; a damaged one is moved aside (and reported) and a new one created. */
  private openDisk(): Database.Database {
    try {
      return openDiskDb(this.o.stateDir, this.file, this.o.outbox.synchronous);
    } catch (err) {
      if (!isCorrupt(err)) throw err;
      const aside = moveAside(this.file, new Date());
      const message = `${this.file} was damaged (${errMessage(err)}); moved to ${aside} and a new one started: alerts queued in it were not sent (inspect it with sqlite3, then delete it)`;
      this.log.error({ file: this.file, aside, err: errMessage(err) }, 'alert state database damaged; moved aside');
      this.o.health?.set('alertStore', 'corrupt', 'degraded', 'store_corrupt_replaced', message);
      return openDiskDb(this.o.stateDir, this.file, this.o.outbox.synchronous);
    }
  }

  private attachAll(db: Database.Database, restart: boolean): void {
    this.db = db;
    this.outbox.attach(db, restart);
    this.states.attach(db);
  }

  /** Moves to an in-memory database holding whatever `from` still lets us read. */
  private enterMemory(err: unknown, from: Database.Database | null): void {
    const mem = openMemoryDb();
    if (from) {
      try {
        loadRows(mem, dumpRows(from), true);
      } catch (readErr) {
        // The disk rows stay where they are; a recovery merges instead of replacing.
        this.complete = false;
        this.log.error(
          { err: errMessage(readErr), file: this.file },
          'cannot read the alert state back from disk; keeping new state in memory',
        );
      }
      try {
        from.close();
      } catch (closeErr) {
        this.log.warn({ err: errMessage(closeErr) }, 'closing the failed database handle failed');
      }
    }
    if (!this.complete) mem.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', ?)").run(MEMORY_SEQ_BASE);
    this.attachAll(mem, from === null);
    this.inMemory = true;
    this.moves.toMemory++;
    const f = storageFault(err) ?? { reason: 'store_io_error' as const, what: 'an I/O error' };
    this.report(f.reason, `${f.what} (${errMessage(err)})`);
    this.retryTimer ??= setInterval(() => this.tryDisk(), this.o.retryMs);
    this.retryTimer.unref();
  }

  private report(reason: NonNullable<ReturnType<typeof storageFault>>['reason'], what: string): void {
    const s = Math.round(this.o.retryMs / 100) / 10;
    const message = `${this.file}: ${what}; alerts are kept in memory (flagged volatile) and still sent. What to do: ${HEALTH_REASONS[reason].action} (retrying every ${s} s)`;
    this.o.health?.set('alertStore', 'disk', 'down', reason, message);
    if (!this.o.health) this.log.error({ file: this.file, reason }, message);
  }
}

/** The state store a config asks for: the outbox is used when the uplink is enabled. No I/O until start(). */
export function createStateStore<T extends OutboxItem, S extends { asset: string }>(
  cfg: Config,
  stateDir: string,
  log: Logger,
  health?: HealthRegistry,
): StateStore<T, S> {
  return new StateStore<T, S>({
    stateDir,
    outbox: cfg.uplink.outbox,
    outboxEnabled: cfg.uplink.enabled,
    retryMs: cfg.agent.storageRetryS * 1000,
    log,
    ...(health ? { health } : {}),
  });
}
