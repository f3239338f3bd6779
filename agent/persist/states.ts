import type Database from 'better-sqlite3';

/**
 * Per-asset state rows (JSON, keyed by asset): the alert lifecycle's memory
 * across restarts. Opaque here: persistence does not know what an alert is.
 */
export class AssetStates<S extends { asset: string }> {
  private db: Database.Database | null = null;
  private upsert: Database.Statement | null = null;

  constructor(private readonly guard: <R>(fn: () => R) => R = (fn) => fn()) {}

  /** Attach to the state store's current database (again after it moved between disk and memory). */
  attach(db: Database.Database): void {
    this.db = db;
    this.upsert = db.prepare('INSERT INTO alert_state (asset, json) VALUES (?, ?) ON CONFLICT(asset) DO UPDATE SET json = excluded.json');
  }

  load(): S[] {
    return this.guard(() => {
      const rows = this.d.prepare('SELECT json FROM alert_state').all() as Array<{ json: string }>;
      return rows.map((r) => JSON.parse(r.json) as S);
    });
  }

  /** Upsert states; call inside the store's transaction when it must be atomic with the outbox. */
  save(states: Iterable<S>): void {
    this.guard(() => {
      if (!this.upsert) throw new Error('asset states used before attach()');
      for (const s of states) this.upsert.run(s.asset, JSON.stringify(s));
    });
  }

  detach(): void {
    this.db = null;
    this.upsert = null;
  }

  private get d(): Database.Database {
    if (!this.db) throw new Error('asset states used before attach()');
    return this.db;
  }
}
