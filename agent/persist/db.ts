/**
 * The state database file: one SQLite file in the state dir holding the
 * per-asset alert state and the outbox, so a lifecycle transition and its
 * outbox row commit in one transaction (after kill -9 either both exist or
 * neither does). Also the same schema in memory, for when the disk refuses
 * writes (storage faults: see store.ts).
 */
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { HealthReason } from '../observe/health-reasons.js';

export const STATE_DB_FILE = 'alerts.db';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS alert_state (asset TEXT PRIMARY KEY, json TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE, asset TEXT NOT NULL, state TEXT NOT NULL,
    payload TEXT NOT NULL, bytes INTEGER NOT NULL,
    ready INTEGER NOT NULL, replayed INTEGER NOT NULL, created INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS outbox_asset ON outbox(asset, seq);
  CREATE TABLE IF NOT EXISTS outbox_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);`;

/** Tables copied between the disk and the memory database, in this order. */
export const TABLES = ['alert_state', 'outbox', 'outbox_meta'] as const;

/**
 * Opens (creates) the database file. WAL lets the uplink read while alerting
 * writes; `synchronous` trades power-loss durability for fsyncs (see
 * uplink.outbox.synchronous). `quick_check` finds a damaged file now rather
 * than on the first alert. Throws the SQLite or file-system error as is
 * (storageFault() says what it means).
 */
export function openDiskDb(dir: string, file: string, synchronous: 'full' | 'normal'): Database.Database {
  mkdirSync(dir, { recursive: true });
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('busy_timeout = 2000');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw Object.assign(new Error(`integrity check: ${String(check)}`), { code: 'SQLITE_CORRUPT' });
    db.exec(SCHEMA);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** The same schema in memory: where alert state and the outbox live while the disk refuses writes. */
export function openMemoryDb(): Database.Database {
  const db = new Database(':memory:');
  db.exec(SCHEMA);
  return db;
}

/** Every row of every table, for moving state between the disk and memory. */
export function dumpRows(db: Database.Database): Record<(typeof TABLES)[number], Array<Record<string, unknown>>> {
  return {
    alert_state: db.prepare('SELECT * FROM alert_state').all() as Array<Record<string, unknown>>,
    outbox: db.prepare('SELECT * FROM outbox ORDER BY seq').all() as Array<Record<string, unknown>>,
    outbox_meta: db.prepare('SELECT * FROM outbox_meta').all() as Array<Record<string, unknown>>,
  };
}

/**
 * Writes rows into `db` in one transaction. `replace` first empties the
 * tables (the rows are the whole truth); otherwise rows already there win
 * (a merge, when the rows are only what could be saved). Keeps outbox seqs,
 * so per-asset order and in-flight acknowledgements survive the move.
 */
export function loadRows(db: Database.Database, rows: ReturnType<typeof dumpRows>, replace: boolean): void {
  db.transaction(() => {
    for (const t of TABLES) {
      if (replace) db.prepare(`DELETE FROM ${t}`).run();
      const list = rows[t];
      if (list.length === 0) continue;
      const cols = Object.keys(list[0]!);
      const stmt = db.prepare(`INSERT OR IGNORE INTO ${t} (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`);
      for (const r of list) stmt.run(r);
    }
  })();
}

/** What a storage error means for the operator; null when it is not a storage fault (a bug, a busy lock). */
export function storageFault(err: unknown): { reason: HealthReason; what: string } | null {
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') return { reason: 'store_disk_full', what: 'the disk is full' };
  if (/^SQLITE_(READONLY|CANTOPEN|PERM|AUTH)/.test(code) || code === 'EROFS' || code === 'EACCES' || code === 'EPERM')
    return { reason: 'store_readonly', what: 'the state directory is read-only or not writable by this user' };
  // mkdir -p on a read-only mount reports the missing directory rather than EROFS.
  if (code === 'ENOENT') return { reason: 'store_readonly', what: 'the state directory does not exist and cannot be created' };
  if (/^SQLITE_(IOERR|CORRUPT|NOTADB)/.test(code) || code === 'EIO') return { reason: 'store_io_error', what: 'an I/O error' };
  return null;
}

/** True for a file that is not (or no longer) a readable SQLite database. */
export function isCorrupt(err: unknown): boolean {
  return /^SQLITE_(CORRUPT|NOTADB)/.test(String((err as { code?: unknown } | null)?.code ?? ''));
}

/** Moves a damaged database (and its WAL and shared-memory files) aside; returns the new name. */
export function moveAside(file: string, now: Date): string {
  const aside = `${file}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
  renameSync(file, aside);
  for (const ext of ['-wal', '-shm']) if (existsSync(file + ext)) renameSync(file + ext, aside + ext);
  return aside;
}
