/**
 * The deterministic summary: what every alert carries when the language
 * model is off, late, or fails verification. It must always be correct and
 * readable (it always passes the verifier: a property test checks), so it is
 * built only from the facts with the shared formatters. Names are written
 * exactly as configured; a sentence that starts with one is not capitalised.
 */
import type { AlertFacts } from '../types.js';
import {
  PATTERN_PHRASES,
  assetLabel,
  fmtDuration,
  fmtRatio,
  fmtValue,
  inBand,
  listNames,
  moreSignals,
  ratioOf,
  sentenceCase,
  withUnit,
} from './format.js';

type Moved = AlertFacts['moved'][number];

/** Signals named in full (value and, for the top one, baseline); the rest are counted. */
export const NAMED_MOVED = 3;

const verb = (m: Moved): string => (m.direction === 'up' ? 'rose' : 'fell');

/** "bearing_vibration rose to 7.93 mm/s, 3.1x its learned normal of 2.52 mm/s" */
function topClause(m: Moved): string {
  const value = withUnit(fmtValue(m.value), m.unit);
  const base = withUnit(fmtValue(m.baseline), m.unit);
  const r = ratioOf(m);
  const rel = r !== null ? `, ${fmtRatio(r)} its learned normal of ${base}` : `, against a learned normal of ${base}`;
  return `${m.name} ${verb(m)} to ${value}${rel}`;
}

/** Sentences about moved signals 2 and 3 ("also" only when they moved like the one before), then a count of the rest. */
function othersSentences(moved: Moved[], names: string[]): string {
  const parts = moved.slice(1, NAMED_MOVED).map((m, i) => {
    const prev = moved[i];
    const also = prev && prev.direction === m.direction ? 'also ' : '';
    return `${m.name} ${also}${verb(m)} to ${withUnit(fmtValue(m.value), m.unit)}`;
  });
  let out = '';
  if (parts.length) out += ` ${sentenceCase(parts.join(', and '), names)}.`;
  const rest = moved.length - NAMED_MOVED;
  if (rest > 0) out += ` ${moreSignals(rest)} moved as well.`;
  return out;
}

/** "temperature stayed normal." / "a, b and 4 other signals stayed normal." ('' when none). */
function steadySentence(steady: string[], names: string[]): string {
  if (steady.length === 0) return '';
  return ` ${sentenceCase(`${listNames(steady)} stayed normal`, names)}.`;
}

/**
 * A short plain-English summary of an alert, deterministic for given facts.
 * Handles open/update/resolved/stale, no moved signals, no ratio, no unit.
 */
export function templateSummary(facts: AlertFacts): string {
  const asset = assetLabel(facts);
  const names = [asset, facts.asset, ...facts.moved.map((m) => m.name), ...facts.steady];
  const pattern = PATTERN_PHRASES[facts.pattern];
  const dur = fmtDuration(facts.durationS);
  const top = facts.moved[0];
  const sev = facts.severity === 'info' ? '' : ` (${facts.severity})`;

  if (facts.stale) {
    // Silence is not a recovery: say what is known (no data) and what is not (the fault's state).
    const why = facts.stale.reason === 'node_death' ? 'its edge node went offline' : 'it stopped sending data';
    const silent = fmtDuration(facts.stale.silentS);
    return facts.state === 'resolved'
      ? `${asset}: alert closed as stale, it lasted ${dur} (pattern was ${pattern}). ${sentenceCase(why, names)} and has been silent for ${silent}, so whether the fault persists is unknown.`
      : `${asset}${sev}, alert kept open but stale (pattern was ${pattern}). ${sentenceCase(why, names)} and has been silent for ${silent}.`;
  }

  if (facts.state === 'resolved') {
    let now = '';
    if (top) {
      const v = withUnit(fmtValue(top.value), top.unit);
      const b = withUnit(fmtValue(top.baseline), top.unit);
      // "near its normal" only when it is: a resolved alert may close with its top signal still off.
      now = inBand(top) ? ` ${top.name} is at ${v}, near its normal of ${b}.` : ` ${top.name} reads ${v} against a learned normal of ${b}.`;
    }
    return `${asset}: alert resolved, it lasted ${dur} (pattern was ${pattern}).${now}`;
  }

  const lead = facts.state === 'update' ? `${asset}${sev}, still abnormal` : `${asset}${sev}`;
  if (!top) {
    return `${lead}: ${pattern} for ${dur}, but no single signal stands out from its learned normal.${steadySentence(facts.steady, names)}`;
  }
  return `${lead}: ${topClause(top)}, for ${dur} — pattern: ${pattern}.${othersSentences(facts.moved, names)}${steadySentence(facts.steady, names)}`;
}
