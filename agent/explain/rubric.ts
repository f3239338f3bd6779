/**
 * The rubric of bench:lm --rubric: how much of what an operator needs a
 * summary states (coverage) and how many wrong claims it makes (errors, by
 * kind). Coverage items, each counted only where it applies: severity (active
 * warning/critical alerts), top signal with value and baseline, pattern,
 * duration, other moved signals named or counted (active alerts with 2+),
 * state wording. Errors are every verifier issue except a missing item.
 */
import type { AlertFacts } from '../types.js';
import type { IssueKind } from './claims.js';
import { verifyWithFindings } from './verify.js';

export const COVERAGE_ITEMS = ['severity', 'top', 'pattern', 'duration', 'others', 'state'] as const;
export type CoverageItem = (typeof COVERAGE_ITEMS)[number];

export interface SummaryScore {
  /** true/false where the item applies, null where it does not. */
  items: Record<CoverageItem, boolean | null>;
  errors: Partial<Record<IssueKind, number>>;
  errorCount: number;
}

/** Score one summary against its facts. */
export function scoreSummary(text: string, f: AlertFacts, knownSignals: readonly string[] = []): SummaryScore {
  const v = verifyWithFindings(text, f, knownSignals);
  const c = v.findings;
  const missing = (re: RegExp): boolean => v.issues.some((i) => i.kind === 'missing' && re.test(i.message));
  const active = f.state !== 'resolved' && !f.stale;
  const top = f.stale ? undefined : f.moved[0];
  const items: SummaryScore['items'] = {
    severity: active && f.severity !== 'info' ? !missing(/^severity/) : null,
    top: top ? c.movedNamed.has(0) && c.topValueSeen && c.topBaseSeen : null,
    pattern: !missing(/^pattern/),
    duration: c.durationSeen,
    others: active && f.moved.length > 1 ? c.movedNamed.size + (c.more ?? 0) >= f.moved.length : null,
    state: !v.issues.some((i) => i.kind === 'state'),
  };
  const errors: SummaryScore['errors'] = {};
  let errorCount = 0;
  for (const i of v.issues) {
    if (i.kind === 'missing') continue;
    errors[i.kind] = (errors[i.kind] ?? 0) + 1;
    errorCount++;
  }
  return { items, errors, errorCount };
}

/** Totals over many scored summaries: coverage (covered / applicable), errors by kind, error-free share. */
export interface RubricTotals {
  n: number;
  coverage: number;
  byItem: Record<CoverageItem, number>;
  errors: { total: number } & Partial<Record<IssueKind, number>>;
  errorFree: number;
}

export function totals(scores: SummaryScore[]): RubricTotals {
  let covered = 0;
  let applicable = 0;
  const byItem = {} as Record<CoverageItem, number>;
  for (const item of COVERAGE_ITEMS) {
    const xs = scores.map((s) => s.items[item]).filter((x): x is boolean => x !== null);
    byItem[item] = xs.length ? round(xs.filter(Boolean).length / xs.length) : 1;
    covered += xs.filter(Boolean).length;
    applicable += xs.length;
  }
  const errors: RubricTotals['errors'] = { total: 0 };
  for (const s of scores) {
    for (const [k, n] of Object.entries(s.errors) as Array<[IssueKind, number]>) errors[k] = (errors[k] ?? 0) + n;
    errors.total += s.errorCount;
  }
  return {
    n: scores.length,
    coverage: applicable ? round(covered / applicable) : 1,
    byItem,
    errors,
    errorFree: scores.length ? round(scores.filter((s) => s.errorCount === 0).length / scores.length) : 1,
  };
}

const round = (x: number): number => Math.round(x * 10_000) / 10_000;
