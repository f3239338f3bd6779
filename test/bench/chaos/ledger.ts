/**
 * The chaos bench's ledger: what the agent decided (committed to its outbox), what the subscriber on the
 * upstream received, what was lost, duplicated or reordered. The agent's own records are read from its
 * state dir while it is dead (after each kill -9) and at the end: the outbox rows, SQLite's AUTOINCREMENT
 * counter (every committed row took one seq, never reused, so it is the count of alerts ever decided), the
 * overflow counters, and the egress audit log (a line per publish, written before the bytes go out).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** One alert message as the subscriber received it. */
export interface Arrival {
  id: string;
  asset: string;
  /** Per-asset decision order: the alert's first-seen time, then the transition's number within the alert. */
  firstSeenMs: number;
  seq: number;
}

/** What the state dir says at one moment. */
export interface OutboxSnapshot {
  /** Alerts ever committed (sqlite_sequence of the outbox). */
  enqueued: number;
  /** Rows still queued: id → asset. */
  queued: Map<string, string>;
  /** Evicted or refused by the overflow policy (outbox_meta). */
  dropped: number;
}

export function readOutbox(stateDir: string): OutboxSnapshot {
  const file = join(stateDir, 'alerts.db');
  const empty: OutboxSnapshot = { enqueued: 0, queued: new Map(), dropped: 0 };
  if (!existsSync(file)) return empty;
  // Not read-only: after a kill -9 the WAL is replayed by the first connection that opens the file.
  const db = new Database(file, { fileMustExist: true, timeout: 5000 });
  try {
    const has = (t: string): boolean => db.prepare('SELECT 1 FROM sqlite_master WHERE name = ?').get(t) !== undefined;
    if (!has('outbox')) return empty;
    const seqRow = has('sqlite_sequence')
      ? (db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").get() as { seq: number } | undefined)
      : undefined;
    const rows = db.prepare('SELECT id, asset FROM outbox').all() as Array<{ id: string; asset: string }>;
    const meta = has('outbox_meta')
      ? (db.prepare('SELECT key, value FROM outbox_meta').all() as Array<{ key: string; value: number }>)
      : [];
    return {
      enqueued: seqRow?.seq ?? 0,
      queued: new Map(rows.map((r) => [r.id, r.asset])),
      dropped: meta.filter((m) => m.key === 'dropped' || m.key === 'rejected').reduce((s, m) => s + m.value, 0),
    };
  } finally {
    db.close();
  }
}

/** Alert ids the egress audit log says were published (first publish of each), in order. */
export function auditedAlertIds(stateDir: string, file = 'egress-audit.log'): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const f of [`${file}.3`, `${file}.2`, `${file}.1`, file].map((x) => join(stateDir, x))) {
    if (!existsSync(f)) continue;
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      if (!line.startsWith('{')) continue;
      let l: { action?: string; kind?: string; id?: string };
      try {
        l = JSON.parse(line) as typeof l;
      } catch {
        continue; // the last line of a log whose writer was killed may be cut
      }
      if (l.action === 'publish' && l.kind === 'alert' && l.id && !seen.has(l.id)) {
        seen.add(l.id);
        out.push(l.id);
      }
    }
  }
  return out;
}

export interface ChaosLedger {
  decided: number;
  delivered: number;
  lost: number;
  /** Ids the agent is known to have decided (queued at a kill, or published) that never arrived and are not queued. */
  lostIds: string[];
  duplicates: number;
  /** Arrivals older, in the asset's decision order, than one already received for that asset. */
  outOfOrder: number;
  stillQueued: number;
  droppedByPolicy: number;
}

/**
 * Folds the arrivals against the agent's records. `known`: every id seen queued at a kill or in the audit
 * log. `end`: the outbox after the final drain. Lost by count: decided − delivered − still queued − dropped
 * by the overflow policy (which the agent counts and reports; the bench's config keeps it out of reach).
 */
export function chaosLedger(arrivals: Arrival[], known: Set<string>, end: OutboxSnapshot): ChaosLedger {
  const first = new Map<string, Arrival>();
  let duplicates = 0;
  let outOfOrder = 0;
  const newest = new Map<string, [number, number]>();
  for (const a of arrivals) {
    if (first.has(a.id)) {
      duplicates++;
      continue;
    }
    first.set(a.id, a);
    const n = newest.get(a.asset);
    if (n && (a.firstSeenMs < n[0] || (a.firstSeenMs === n[0] && a.seq < n[1]))) outOfOrder++;
    else newest.set(a.asset, [a.firstSeenMs, a.seq]);
  }
  const lostIds = [...known].filter((id) => !first.has(id) && !end.queued.has(id));
  const byCount = end.enqueued - first.size - end.queued.size - end.dropped;
  return {
    decided: end.enqueued,
    delivered: first.size,
    lost: Math.max(byCount, lostIds.length),
    lostIds: lostIds.slice(0, 20),
    duplicates,
    outOfOrder,
    stillQueued: end.queued.size,
    droppedByPolicy: end.dropped,
  };
}
