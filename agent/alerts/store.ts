/**
 * The alerts database: one SQLite file in the state dir holding the
 * per-asset lifecycle state and the outbox, so that a transition and its
 * outbox row commit in the same transaction (after kill -9 either both
 * exist or neither does — never an open alert that was not queued).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { EdgeError } from '../errors.js';
import type { AssetAlertState } from './lifecycle.js';

export const ALERTS_DB_FILE = 'alerts.db';

/**
 * Open (create) the alerts database. WAL lets the uplink read while the
 * alerting side writes; `synchronous` trades power-loss durability for
 * fsyncs (see uplink.outbox.synchronous).
 */
export function openAlertsDb(stateDir: string, synchronous: 'full' | 'normal'): Database.Database {
  try {
    mkdirSync(stateDir, { recursive: true });
    const db = new Database(join(stateDir, ALERTS_DB_FILE));
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('busy_timeout = 2000');
    db.exec('CREATE TABLE IF NOT EXISTS alert_state (asset TEXT PRIMARY KEY, json TEXT NOT NULL)');
    return db;
  } catch (err) {
    throw new EdgeError('E_STATE', `cannot open the alerts database in ${stateDir}: ${String(err)}`, { cause: err });
  }
}

/** Reads and writes the per-asset lifecycle state. */
export class AlertStateStore {
  constructor(private readonly db: Database.Database) {}

  load(): AssetAlertState[] {
    const rows = this.db.prepare('SELECT json FROM alert_state').all() as Array<{ json: string }>;
    return rows.map((r) => JSON.parse(r.json) as AssetAlertState);
  }

  /** Upsert states; call inside the caller's transaction when it must be atomic with the outbox. */
  save(states: Iterable<AssetAlertState>): void {
    const stmt = this.db.prepare(
      'INSERT INTO alert_state (asset, json) VALUES (?, ?) ON CONFLICT(asset) DO UPDATE SET json = excluded.json',
    );
    for (const s of states) stmt.run(s.asset, JSON.stringify(s));
  }
}
