/**
 * The deterministic summary: what every alert carries when the language
 * model is off, late, or fails verification. It must always be correct and
 * readable, so it is built only from the facts with the shared formatters.
 */
import type { AlertFacts } from '../types.js';
import { PATTERN_PHRASES, assetLabel, fmtDuration, fmtRatio, fmtValue, humanName, joinNames, withUnit } from './format.js';

type Moved = AlertFacts['moved'][number];

/** "bearing vibration rose to 7.9 mm/s, 3.1x its learned normal of 2.5 mm/s" */
function movedClause(m: Moved): string {
  const verb = m.direction === 'up' ? 'rose' : 'fell';
  const value = withUnit(fmtValue(m.value), m.unit);
  const base = withUnit(fmtValue(m.baseline), m.unit);
  const rel =
    m.ratio !== null && Number.isFinite(m.ratio)
      ? `${fmtRatio(m.ratio)} its learned normal of ${base}`
      : `against a learned normal of ${base}`;
  return `${humanName(m.name)} ${verb} to ${value}, ${rel}`;
}

/** Tail about the signals that stayed normal, or '' when none are known. */
function steadyClause(steady: string[]): string {
  if (steady.length === 0) return '';
  const names = joinNames(steady.map(humanName));
  return ` while ${names} stayed normal`;
}

/** Second sentence naming further moved signals (at most two more, to stay short). */
function alsoClause(moved: Moved[]): string {
  const rest = moved.slice(1, 3);
  if (rest.length === 0) return '';
  const parts = rest.map((m) => `${humanName(m.name)} ${m.direction === 'up' ? 'rose' : 'fell'} to ${withUnit(fmtValue(m.value), m.unit)}`);
  return ` Also ${joinNames(parts)}.`;
}

/**
 * A one- or two-sentence plain-English summary of an alert, deterministic
 * for given facts. Handles open/update/resolved, no moved signals, a null
 * ratio and missing units.
 */
export function templateSummary(facts: AlertFacts): string {
  const asset = assetLabel(facts);
  const pattern = PATTERN_PHRASES[facts.pattern];
  const dur = fmtDuration(facts.durationS);
  const top = facts.moved[0];
  const sev = facts.severity === 'info' ? '' : ` (${facts.severity})`;

  if (facts.stale) {
    // Silence is not a recovery: say what is known (no data) and what is not (the fault's state).
    const why = facts.stale.reason === 'node_death' ? 'its edge node went offline' : 'it stopped sending data';
    const silent = fmtDuration(facts.stale.silentS);
    return facts.state === 'resolved'
      ? `${asset}: alert closed as stale after ${dur} (pattern was ${pattern}): ${why} ${silent} ago, so whether the fault persists is unknown.`
      : `${asset}${sev}, alert kept open but stale: ${why} ${silent} ago (pattern was ${pattern}).`;
  }

  if (facts.state === 'resolved') {
    const now = top
      ? ` ${humanName(top.name)} is at ${withUnit(fmtValue(top.value), top.unit)} against a learned normal of ${withUnit(fmtValue(top.baseline), top.unit)}.`
      : '';
    return `${asset}: back to normal after ${dur} (pattern was ${pattern}).${now}`;
  }

  const lead = facts.state === 'update' ? `${asset}${sev}, still abnormal` : `${asset}${sev}`;
  if (!top) {
    return `${lead}: ${pattern} detected over the last ${dur}, but no single signal stands out from its learned normal.`;
  }
  return `${lead}: ${movedClause(top)}, over the last ${dur}${steadyClause(facts.steady)} — pattern: ${pattern}.${alsoClause(facts.moved)}`;
}
