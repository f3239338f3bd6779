/**
 * Reads a summary into tokens for the verifier: names (exact, case-sensitive,
 * whole tokens, never inside a number), numbers with the unit written after
 * them, words and punctuation. Pattern phrases win over a signal that shares
 * a word ("level" in "level shift"); a name that looks like a number ("7") is
 * read as a number when a unit or "x" follows it.
 */
import type { AlertFacts } from '../types.js';
import { PATTERN_PHRASES, assetLabel } from './format.js';

export type NameKind = 'asset' | 'moved' | 'steady' | 'other';
export interface NameTok {
  k: 'name';
  text: string;
  kind: NameKind;
  /** Index in facts.moved for 'moved'. */
  idx: number;
}
export interface NumTok {
  k: 'num';
  text: string;
  value: number;
  /** The unit written right after the number ('' when none). */
  unit: string;
  /** The number is also a name of the facts (e.g. asset "7"). */
  alsoName: boolean;
}
export interface WordTok {
  k: 'word';
  text: string;
  low: string;
  /** Part of a pattern phrase ("Level shift"), not a name written in another case. */
  phrase?: boolean;
}
export interface PunctTok {
  k: 'punct';
  text: string;
}
export type Tok = NameTok | NumTok | WordTok | PunctTok;

export const TIME_UNITS = ['min', 'd', 'h', 's'];
const RATIO_UNITS = ['x', '×'];

const isWordChar = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{N}_]/u.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && /\d/.test(c);

/** A name may start at i and end at j: not glued to letters/digits, not part of a number like 17.5 or 1,200. */
function boundary(text: string, i: number, j: number): boolean {
  const p = text[i - 1];
  const n = text[j];
  if (isWordChar(p) || isWordChar(n)) return false;
  if ((p === '.' || p === ',' || p === '-') && isDigit(text[i - 2])) return false;
  if (p === '-' && isDigit(text[i])) return false;
  if ((n === '.' || n === ',') && isDigit(text[j + 1])) return false;
  return true;
}

interface NameDef {
  text: string;
  kind: NameKind;
  idx: number;
}

/** Every name the facts (and the plant's other configured signals) can put in a text, longest first. */
export function namesOf(f: AlertFacts, knownSignals: readonly string[] = []): NameDef[] {
  const defs: NameDef[] = [
    { text: assetLabel(f), kind: 'asset', idx: -1 },
    { text: f.asset, kind: 'asset', idx: -1 },
    ...f.moved.map((m, idx) => ({ text: m.name, kind: 'moved' as const, idx })),
    ...f.steady.map((s) => ({ text: s, kind: 'steady' as const, idx: -1 })),
  ];
  const own = new Set(defs.map((d) => d.text));
  for (const s of knownSignals) if (!own.has(s)) defs.push({ text: s, kind: 'other', idx: -1 });
  return defs.filter((d) => d.text.trim() !== '').sort((a, b) => b.text.length - a.text.length);
}

const NUM = /-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?/y;
const WORD = /[\p{L}_][\p{L}\p{N}_'’/-]*/uy;
const PHRASES = Object.values(PATTERN_PHRASES).sort((a, b) => b.length - a.length);

/** The unit written at i (after at most one space), longest first, ending at a boundary. */
function unitAt(text: string, i: number, units: string[]): string {
  const at = text[i] === ' ' ? i + 1 : i;
  for (const u of units) {
    if (text.startsWith(u, at) && !isWordChar(text[at + u.length]) && !(u === '%' ? false : text[at + u.length] === '/')) return u;
  }
  return '';
}

/** Tokens of a text against the facts' names and units. */
export function scan(text: string, f: AlertFacts, knownSignals: readonly string[] = []): Tok[] {
  const names = namesOf(f, knownSignals);
  const units = [...new Set([...f.moved.map((m) => m.unit.trim()).filter(Boolean), ...RATIO_UNITS, ...TIME_UNITS])].sort(
    (a, b) => b.length - a.length,
  );
  const out: Tok[] = [];
  let i = 0;
  const low = text.toLowerCase();
  while (i < text.length) {
    const c = text[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const phrase = PHRASES.find((p) => low.startsWith(p, i) && boundary(text, i, i + p.length));
    if (phrase) {
      for (const w of text.slice(i, i + phrase.length).split(' ')) out.push({ k: 'word', text: w, low: w.toLowerCase(), phrase: true });
      i += phrase.length;
      continue;
    }
    const name = names.find((n) => text.startsWith(n.text, i) && boundary(text, i, i + n.text.length));
    const numeric = name !== undefined && /^-?[\d.,]+$/.test(name.text);
    if (name && !(numeric && unitAt(text, i + name.text.length, units) !== '')) {
      if (numeric) {
        const value = Number(name.text.replace(/,/g, ''));
        out.push({ k: 'num', text: name.text, value, unit: '', alsoName: true });
      } else out.push({ k: 'name', text: name.text, kind: name.kind, idx: name.idx });
      i += name.text.length;
      continue;
    }
    NUM.lastIndex = i;
    const num = NUM.exec(text);
    if (num && !isWordChar(text[i - 1]) && !(c === '-' && isDigit(text[i - 1]))) {
      const end = i + num[0].length;
      if (!isDigit(text[end]) && !(text[end] === '_' || /\p{L}/u.test(text[end] ?? '') ? !RATIO_UNITS.includes(text[end] ?? '') : false)) {
        const unit = unitAt(text, end, units);
        const numVal = Number(num[0].replace(/,/g, ''));
        out.push({ k: 'num', text: num[0], value: numVal, unit, alsoName: names.some((n) => n.text === num[0]) });
        i = unit ? text.indexOf(unit, end) + unit.length : end;
        continue;
      }
    }
    WORD.lastIndex = i;
    const word = WORD.exec(text);
    if (word) {
      const w = word[0].replace(/[-/’']+$/, '');
      out.push({ k: 'word', text: w, low: w.toLowerCase() });
      i += w.length;
      continue;
    }
    out.push({ k: 'punct', text: c });
    i++;
  }
  return out;
}
