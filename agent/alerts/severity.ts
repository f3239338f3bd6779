/**
 * Severity and "material change" rules, kept pure so the lifecycle tests can
 * pin them down without a bus or a clock.
 */
import type { AlertsConfig } from '../config/sections/alerts.js';
import type { Decision, Severity, SignalEvidence } from '../types.js';

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** Numeric rank of a severity, for "at least" comparisons. */
export function severityRank(s: Severity): number {
  return RANK[s];
}

/** The larger of two severities. */
export function maxSeverity(a: Severity, b: Severity): Severity {
  return RANK[a] >= RANK[b] ? a : b;
}

/** Largest |z| over the evidence, 0 when there is none. */
export function peakZ(evidence: readonly SignalEvidence[] | undefined): number {
  let m = 0;
  for (const e of evidence ?? []) {
    const a = Math.abs(e.z);
    if (Number.isFinite(a) && a > m) m = a;
  }
  return m;
}

/**
 * Severity of one anomalous decision: from how far the score is above its
 * threshold, escalated to critical by an extreme single-signal |z|.
 */
export function severityOf(d: Decision, cfg: AlertsConfig['severity']): Severity {
  const ratio = d.threshold > 0 ? d.score / d.threshold : Number.POSITIVE_INFINITY;
  if (ratio >= cfg.criticalRatio || peakZ(d.evidence) >= cfg.criticalZ) return 'critical';
  if (ratio >= cfg.warningRatio) return 'warning';
  return 'info';
}

/**
 * Whether the alert changed enough to tell the operator: a new pattern, a new
 * set of moved signals, or the peak |z| moved by more than `zChange` relative.
 * Severity escalation is handled by the caller (it bypasses the rate limit).
 */
export function materiallyChanged(
  sent: { pattern: string; signals: readonly string[]; peakZ: number },
  now: { pattern: string; signals: readonly string[]; peakZ: number },
  zChange: number,
): boolean {
  if (sent.pattern !== now.pattern) return true;
  if (sent.signals.length !== now.signals.length || sent.signals.some((s) => !now.signals.includes(s))) return true;
  const base = Math.max(sent.peakZ, 1e-9);
  return Math.abs(now.peakZ - sent.peakZ) / base > zChange;
}
