/**
 * The life of each alert in a replay: the daemon's own alert lifecycle
 * (agent/alerts/lifecycle.ts, default or given alerts config) run over a
 * replay's decisions with the data's clock, and the diagnosis pattern the
 * alert carried after each anomalous decision from its open to its resolve.
 * Used by bench:diagnosis (pattern stability) and the diagnosis tests.
 */
import { AlertLifecycle } from '../alerts/lifecycle.js';
import type { AlertsConfig } from '../config/sections/alerts.js';
import type { Decision, Pattern } from '../types.js';

/** One alert of a replay: rows of its open and its resolve (-1 = still open at the end), and what it said. */
export interface AlertLife {
  openRow: number;
  resolveRow: number;
  /** The alert's pattern after each of its anomalous decisions, consecutive repeats collapsed (open first). */
  patterns: Pattern[];
  /** The patterns of the transitions actually sent (open, updates), consecutive repeats collapsed. */
  sent: Pattern[];
  /** The moved signals of the open. */
  signals: string[];
}

/** Runs the lifecycle over `decisions` (one per row, in order); `now` follows the decisions' timestamps. */
export function alertLives(decisions: readonly Decision[], alerts: AlertsConfig): AlertLife[] {
  let clock = 0;
  const lc = new AlertLifecycle(alerts, () => clock);
  const out: AlertLife[] = [];
  let cur: AlertLife | undefined;
  const push = (xs: Pattern[], p: Pattern): void => {
    if (xs.at(-1) !== p) xs.push(p);
  };
  for (const [row, d] of decisions.entries()) {
    if (!d || d.phase !== 'detecting') continue;
    clock = d.ts;
    const t = lc.step(d);
    if (t?.state === 'open') {
      cur = { openRow: row, resolveRow: -1, patterns: [], sent: [], signals: [...t.diagnosis.signals] };
      out.push(cur);
    }
    if (cur && d.anomalous && d.diagnosis) push(cur.patterns, d.diagnosis.pattern);
    if (cur && (t?.state === 'open' || t?.state === 'update')) push(cur.sent, t.diagnosis.pattern);
    if (cur && t?.state === 'resolved') {
      cur.resolveRow = row;
      cur = undefined;
    }
  }
  return out;
}
