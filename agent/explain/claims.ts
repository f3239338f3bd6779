/**
 * Clause-level claims of a summary, checked against the facts: which way each
 * named signal went (including "also", "too", "as well"), "near"/"settled" and
 * "stayed normal" only inside the normal band, verb agreement with the number
 * of signals named, and every number attributed to the signal it follows.
 */
import type { AlertFacts } from '../types.js';
import { fmtDuration, fmtRatio, fmtValue, inBand, ratioOf } from './format.js';
import { TIME_UNITS, type NameTok, type NumTok, type Tok } from './scan.js';
import { DOWN_WORDS, IN_BAND_WORDS, PLURAL_VERBS, SINGULAR_VERBS, STEADY_CLAIMS, UP_WORDS } from './vocab.js';

export type IssueKind =
  | 'missing'
  | 'number'
  | 'ratio'
  | 'duration'
  | 'count'
  | 'name'
  | 'direction'
  | 'also'
  | 'band'
  | 'agreement'
  | 'severity'
  | 'pattern'
  | 'state'
  | 'vocabulary'
  | 'grammar';
export interface Issue {
  kind: IssueKind;
  message: string;
}

/** What the clause pass saw, for the global checks and the rubric. */
export interface ClaimFindings {
  issues: Issue[];
  movedNamed: Set<number>;
  steadyNamed: Set<string>;
  /** "N more signals" count written, or null. */
  more: number | null;
  topValueSeen: boolean;
  topBaseSeen: boolean;
  durationSeen: boolean;
}

type Moved = AlertFacts['moved'][number];

/** Does the number as written round-match the fact (at the text's precision)? */
export function numMatches(written: string, fact: number): boolean {
  if (written === fmtValue(fact)) return true;
  const plain = written.replace(/,/g, '');
  const n = Number(plain);
  const decimals = plain.split('.')[1]?.length ?? 0;
  const sig = plain.replace(/^-?0*\.?0*/, '').replace('.', '').length;
  // Accept coarser rounding of the fact ("7.9" for 7.93) but not one-digit guesses ("8").
  return sig >= 2 && Math.abs(n - fact) <= 0.5 * 10 ** -decimals + 1e-9;
}

const BOUNDARY_PUNCT = new Set(['.', ';', '—', ':', '(', ')']);
const BOUNDARY_WORDS = new Set(['while', 'with', 'but']);

/** Clauses: split at . ; — : ( ) and before "while", "with", "but" and ", and". */
export function clauses(toks: Tok[]): Tok[][] {
  const out: Tok[][] = [[]];
  toks.forEach((t, i) => {
    const next = toks[i + 1];
    const cut =
      (t.k === 'punct' && BOUNDARY_PUNCT.has(t.text)) || (t.k === 'punct' && t.text === ',' && next?.k === 'word' && next.low === 'and');
    if (t.k === 'word' && BOUNDARY_WORDS.has(t.low)) out.push([]);
    if (cut) out.push([]);
    else out[out.length - 1]?.push(t);
  });
  return out.filter((c) => c.length > 0);
}

const isWord = (t: Tok | undefined, w: string): boolean => t?.k === 'word' && t.low === w;

/** Walk the clauses of a scanned text and collect claim problems. */
export function checkClaims(toks: Tok[], f: AlertFacts): ClaimFindings {
  const issues: Issue[] = [];
  const add = (kind: IssueKind, message: string): void => void issues.push({ kind, message });
  const found: ClaimFindings = {
    issues,
    movedNamed: new Set(),
    steadyNamed: new Set(),
    more: null,
    topValueSeen: false,
    topBaseSeen: false,
    durationSeen: false,
  };
  const durations = new Set([fmtDuration(f.durationS), ...(f.stale ? [fmtDuration(f.stale.silentS)] : [])]);
  let lastMoved: Moved | undefined;
  for (const clause of clauses(toks)) {
    const also = clause.some((t, i) => isWord(t, 'also') || isWord(t, 'too') || (isWord(t, 'as') && isWord(clause[i + 1], 'well')));
    let subject: NameTok | undefined;
    const namesSoFar: NameTok[] = [];
    for (let i = 0; i < clause.length; i++) {
      const t = clause[i]!;
      if (t.k === 'name') {
        if (t.kind === 'other') add('name', `names signal ${t.text}, which is not in the facts`);
        if (t.kind === 'moved') {
          const m = f.moved[t.idx]!;
          found.movedNamed.add(t.idx);
          if (also && (!lastMoved || lastMoved.direction !== m.direction))
            add('also', `says "also/too/as well" of ${m.name}, which went ${m.direction} unlike the signal named before it`);
          lastMoved = m;
        }
        if (t.kind === 'steady') found.steadyNamed.add(t.text);
        subject = t;
        namesSoFar.push(t);
        continue;
      }
      const subj = subject?.kind === 'moved' ? f.moved[subject.idx] : undefined;
      if (t.k === 'num') {
        checkNumber(t, clause, i, subject, f, found, durations);
        continue;
      }
      if (t.k !== 'word') continue;
      if (UP_WORDS.has(t.low) || DOWN_WORDS.has(t.low)) {
        const dir = UP_WORDS.has(t.low) ? 'up' : 'down';
        if (subject?.kind === 'steady') add('direction', `says "${t.low}" of ${subject.text}, which stayed normal`);
        else if (subj && subj.direction !== dir) add('direction', `says "${t.low}" of ${subj.name}, which went ${subj.direction}`);
      }
      if (IN_BAND_WORDS.has(t.low) && subject && subject.kind !== 'asset') {
        const negated = isWord(clause[i - 1], 'not') || (isWord(clause[i - 1], 'yet') && isWord(clause[i - 2], 'not'));
        if (subj && !negated && !inBand(subj))
          add('band', `says "${t.low}" of ${subj.name}, which is ${Math.abs(subj.z).toFixed(1)} sd off`);
        if (negated && (!subj || inBand(subj))) add('band', `says "not near" of ${subject.text}, which is within its normal band`);
      }
      const claim = STEADY_CLAIMS.find((c) => c.every((w, k) => isWord(clause[i + k], w)));
      if (claim) checkSteadyClaim(namesSoFar, clause, i, f, add);
      if (isWord(t, 'no') && isWord(clause[i + 1], 'change') && isWord(clause[i + 2], 'on')) {
        const after = clause.slice(i + 3).filter((x): x is NameTok => x.k === 'name');
        checkSteadyClaim(after, clause, -1, f, add);
      }
    }
  }
  return found;
}

/** Names said to have stayed normal must be steady (or back in band); the verb agrees with how many. */
function checkSteadyClaim(names: NameTok[], clause: Tok[], i: number, f: AlertFacts, add: (k: IssueKind, m: string) => void): void {
  for (const n of names) {
    if (n.kind === 'moved' && !inBand(f.moved[n.idx]!)) add('band', `says ${n.text} stayed normal, but it moved`);
  }
  if (i < 0) return;
  const verb = [clause[i], clause[i - 1]].find((t) => t?.k === 'word' && (SINGULAR_VERBS.has(t.low) || PLURAL_VERBS.has(t.low)));
  if (verb?.k !== 'word') return;
  const others = clause.some((t, k) => t.k === 'num' && isWord(clause[k + 1], 'other'));
  const count = names.filter((n) => n.kind !== 'asset').length + (others ? 2 : 0);
  if (count >= 2 && SINGULAR_VERBS.has(verb.low)) add('agreement', `"${verb.low}" after ${count} signals`);
  if (count === 1 && PLURAL_VERBS.has(verb.low)) add('agreement', `"${verb.low}" after one signal`);
}

/** A number is a duration, a ratio, a count, or a value/baseline of the signal it follows (with that signal's unit). */
function checkNumber(
  t: NumTok,
  clause: Tok[],
  i: number,
  subject: NameTok | undefined,
  f: AlertFacts,
  found: ClaimFindings,
  durations: Set<string>,
): void {
  const add = (kind: IssueKind, message: string): void => void found.issues.push({ kind, message });
  const prev = clause[i - 1];
  // Second part of a two-unit duration ("2 h 5 min"): already read with the first.
  if (prev?.k === 'num' && TIME_UNITS.includes(prev.unit) && TIME_UNITS.includes(t.unit)) return;
  const candidates =
    subject?.kind === 'moved' ? [f.moved[subject.idx]!] : subject?.kind === 'steady' || subject?.kind === 'other' ? [] : f.moved;
  const unitOk = (m: Moved): boolean => m.unit.trim() === t.unit;
  if (TIME_UNITS.includes(t.unit) && !candidates.some((m) => unitOk(m) && numMatches(t.text, m.value))) {
    const next = clause[i + 1];
    let d = `${t.text} ${t.unit}`;
    if (next?.k === 'num' && TIME_UNITS.includes(next.unit)) d += ` ${next.text} ${next.unit}`;
    if (isWord(prev, 'under')) d = `under ${d}`;
    if (durations.has(d)) found.durationSeen = true;
    else add('duration', `duration "${d}" is not ${[...durations].join(' or ')}`);
    return;
  }
  if (t.unit === 'x' || t.unit === '×') {
    const ok = candidates.some((m) => {
      const r = ratioOf(m);
      return r !== null && (fmtRatio(r) === `${t.text}x` || numMatches(t.text, r));
    });
    if (!ok) add('ratio', `ratio ${t.text}x is not a meaningful ratio of the facts`);
    return;
  }
  if (isWord(clause[i + 1], 'more') || isWord(clause[i + 1], 'other')) {
    const noun = clause[i + 2];
    const plural = isWord(noun, 'signals');
    if ((t.value === 1) === plural) add('agreement', `"${t.text} ${clause[i + 1]?.text} ${noun?.text ?? ''}"`);
    if (isWord(clause[i + 1], 'more')) found.more = t.value;
    else if (t.value !== f.steady.length - 3) add('count', `says ${t.text} other signals, facts have ${f.steady.length - 3}`);
    return;
  }
  const hit = candidates.find((m) => unitOk(m) && (numMatches(t.text, m.value) || numMatches(t.text, m.baseline)));
  if (!hit) {
    if (!t.alsoName || t.unit)
      add('number', `number ${t.text}${t.unit ? ` ${t.unit}` : ''} is not a value of ${subject?.text ?? 'the facts'}`);
    return;
  }
  const top = f.moved[0];
  if (hit === top && numMatches(t.text, top.value)) found.topValueSeen = true;
  if (hit === top && numMatches(t.text, top.baseline)) found.topBaseSeen = true;
}
