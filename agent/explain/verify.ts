/**
 * The fact-checker every generated summary passes before it ships: numbers,
 * units, names and claims must all come from the alert's facts. Language
 * models hallucinate by construction, so this is what makes an LM summary
 * safe to send; anything it rejects is replaced by the template.
 */
import type { AlertFacts, Pattern } from '../types.js';
import { PATTERN_PHRASES, assetLabel, fmtDuration, fmtRatio, fmtValue, humanName } from './format.js';

/** Verdict with every problem found (empty when ok). */
export interface Verdict {
  ok: boolean;
  problems: string[];
}

/** Common engineering units: a number followed by one of these must carry its signal's unit. */
const UNIT_LEXICON = [
  'mm/s',
  'm/s',
  'm/s2',
  'g',
  '°c',
  '°f',
  'degc',
  'k',
  'bar',
  'mbar',
  'kpa',
  'pa',
  'psi',
  'rpm',
  'hz',
  'khz',
  'a',
  'ma',
  'v',
  'kv',
  'w',
  'kw',
  'mw',
  '%',
  'l/min',
  'm3/h',
  'l/h',
  'kg',
  't',
  'nm',
  'mm',
  'um',
  'ppm',
  'db',
  'ph',
];
const TIME_UNITS = ['s', 'sec', 'secs', 'second', 'seconds', 'min', 'mins', 'minute', 'minutes', 'h', 'hr', 'hrs', 'hour', 'hours'];
/** Words that name a measured quantity: in text they must belong to a signal of the facts. */
const SIGNAL_LEXICON = [
  'temperature',
  'pressure',
  'vibration',
  'flow',
  'current',
  'voltage',
  'speed',
  'humidity',
  'power',
  'torque',
  'frequency',
  'amperage',
  'acceleration',
  'viscosity',
  'conductivity',
  'turbidity',
];
const UP_WORDS = ['rose', 'risen', 'rising', 'climbed', 'increased', 'increasing', 'up', 'higher', 'above', 'jumped', 'surged', 'grew'];
const DOWN_WORDS = ['fell', 'fallen', 'falling', 'decreased', 'decreasing', 'down', 'lower', 'below', 'sank', 'slid', 'dropped'];
const PATTERN_WORDS: Record<Pattern, string[]> = {
  spike: ['spike', 'spiked', 'spiking'],
  level_shift: ['level shift', 'step change', 'new level'],
  drift: ['drift', 'drifting', 'drifted'],
  variance_change: ['variability', 'variance', 'erratic', 'noisier', 'spread of readings'],
  stuck: ['stuck', 'frozen', 'flatlin', 'flat-lin'],
  dropout: ['dropout', 'dropped out', 'missing readings', 'stopped reporting'],
  oscillation: ['oscillat', 'swinging'],
  unknown: ['unclassified', 'not classified', 'no clear pattern', 'known pattern'],
};
const RESOLVED_WORDS = ['back to normal', 'resolved', 'recovered', 'cleared', 'has returned'];
const NEAR_WORDS = ['near its normal', 'near normal', 'close to normal', 'close to its normal'];
const ACTIVE_WORDS = ['still abnormal', 'still active', 'still out of normal', 'continues', 'persists'];

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const hasWord = (text: string, w: string): boolean => new RegExp(`(^|[^\\p{L}\\p{N}])${esc(w)}($|[^\\p{L}\\p{N}])`, 'u').test(text);

/** Does the number as written in the text round-match the fact (at the text's precision)? */
function numMatches(written: string, fact: number): boolean {
  if (written === fmtValue(fact)) return true;
  const n = Number(written);
  const decimals = written.split('.')[1]?.length ?? 0;
  const sig = written.replace(/^-?0*\.?0*/, '').replace('.', '').length;
  // Accept coarser rounding of the fact ("7.9" for 7.93) but not one-digit guesses ("8").
  return sig >= 2 && Math.abs(n - fact) <= 0.5 * 10 ** -decimals + 1e-9;
}

/** Check a final summary against the facts. Pure and synchronous. */
export function verifySummary(text: string, f: AlertFacts, knownSignals: string[] = []): Verdict {
  const problems: string[] = [];
  const low = text.toLowerCase();
  const label = assetLabel(f).toLowerCase();
  if (!low.includes(f.asset.toLowerCase())) problems.push(`asset ${f.asset} not named`);

  const moved = f.moved.map((m) => ({ ...m, names: [m.name.toLowerCase(), humanName(m.name).toLowerCase()] }));
  const steady = f.steady.map((s) => [s.toLowerCase(), humanName(s).toLowerCase()]);
  const top = moved[0];
  if (top) {
    if (!top.names.some((n) => low.includes(n))) problems.push(`top signal ${top.name} not named`);
  }

  // Mask names so digits inside them ("P-101", "temp_2") are not read as numbers.
  const allNames = [
    label,
    f.asset.toLowerCase(),
    ...moved.flatMap((m) => m.names),
    ...steady.flat(),
    ...(f.assetKind ? [f.assetKind.toLowerCase()] : []),
  ]
    .filter(Boolean)
    .sort((a, b) => b.length - a.length);
  let masked = low;
  for (const n of allNames) masked = masked.split(n).join(' § ');

  const unitSet = new Set([...UNIT_LEXICON, ...f.moved.map((m) => m.unit.trim().toLowerCase()).filter(Boolean)]);
  const units = [...unitSet, ...TIME_UNITS].sort((a, b) => b.length - a.length);
  const durNum = fmtDuration(f.durationS).split(' ')[0] ?? '';
  let topValueSeen = false;
  for (const m of masked.matchAll(/(?<![\p{L}\d.])(-?\d+(?:\.\d+)?)(?![\d])/gu)) {
    const num = m[1] ?? '';
    const after = masked.slice((m.index ?? 0) + m[0].length);
    if (/^\s?(x|×|times)(?![\p{L}])/u.test(after)) {
      if (!f.moved.some((mv) => mv.ratio !== null && (fmtRatio(mv.ratio) === `${num}x` || numMatches(num, mv.ratio))))
        problems.push(`ratio ${num}x not in facts`);
      continue;
    }
    const unit = units.find((u) => new RegExp(`^\\s?${esc(u)}(?![\\p{L}\\d/])`, 'u').test(after));
    const ok = f.moved.some((mv) => {
      const hit = numMatches(num, mv.value) || numMatches(num, mv.baseline);
      const u = mv.unit.trim().toLowerCase();
      return hit && (u ? unit === u : unit === undefined || !unitSet.has(unit));
    });
    const isDur = num === durNum && (unit === undefined || TIME_UNITS.includes(unit));
    if (!ok && !isDur) problems.push(`number ${num}${unit ? ` ${unit}` : ''} not in facts (or wrong unit)`);
    if (top && numMatches(num, top.value) && (top.unit.trim() === '' || unit === top.unit.trim().toLowerCase())) topValueSeen = true;
  }
  // A unit of the facts must follow a number ("its baseline mm/s" means a value went missing).
  for (const u of f.moved.map((mv) => mv.unit.trim().toLowerCase()).filter((u) => u.length > 1)) {
    for (const m of masked.matchAll(new RegExp(`(^|[^\\p{L}\\d/])${esc(u)}(?![\\p{L}\\d/])`, 'gu'))) {
      if (!/\d\s?$/.test(masked.slice(0, (m.index ?? 0) + (m[1]?.length ?? 0)))) problems.push(`unit ${u} without a number`);
    }
  }
  if (/(^|\s)(\p{L}+) \2(?=\s|[,.;:]|$)/iu.test(low)) problems.push('repeated word');
  if (/[,:;]\s*[,:;]|\(\s*[,.:;]|\.\s*\./.test(low)) problems.push('broken punctuation');
  if (top && !topValueSeen) problems.push(`value ${fmtValue(top.value)} of ${top.name} not stated`);

  const factWords = allNames.join(' | ');
  // Pattern names are not signal names: a plant signal called "level" must not trip on "level shift".
  let unpatterned = masked;
  for (const w of [...Object.values(PATTERN_PHRASES), ...Object.values(PATTERN_WORDS).flat()]) unpatterned = unpatterned.split(w).join(' ');
  for (const w of [...SIGNAL_LEXICON, ...knownSignals.map((s) => humanName(s).toLowerCase())]) {
    if (hasWord(unpatterned, w) && !factWords.includes(w)) problems.push(`signal "${w}" is not in the facts`);
  }

  problems.push(...contradictions(low, f, moved, steady));
  return { ok: problems.length === 0, problems };
}

/** Claims that disagree with the diagnosis: direction, pattern, severity, state. */
function contradictions(
  low: string,
  f: AlertFacts,
  moved: Array<{ direction: 'up' | 'down'; names: string[] }>,
  steady: string[][],
): string[] {
  const out: string[] = [];
  // Names compared word by word, split exactly like the clause text below.
  const norm = (n: string): string =>
    n
      .split(/[^\p{L}\p{N}/°%]+/u)
      .filter(Boolean)
      .join(' ');
  moved = moved.map((m) => ({ ...m, names: m.names.map(norm) }));
  steady = steady.map((names) => names.map(norm));
  for (const [p, words] of Object.entries(PATTERN_WORDS) as Array<[Pattern, string[]]>) {
    if (p !== f.pattern && words.some((w) => low.includes(w))) out.push(`names pattern ${p} but diagnosis is ${f.pattern}`);
  }
  for (const sev of ['critical', 'warning'] as const) {
    if (sev !== f.severity && hasWord(low, sev)) out.push(`says ${sev} but severity is ${f.severity}`);
  }
  if (f.state !== 'resolved' && RESOLVED_WORDS.some((w) => low.includes(w))) out.push(`says resolved but state is ${f.state}`);
  if (f.state === 'resolved' && ACTIVE_WORDS.some((w) => low.includes(w))) out.push('says still active but state is resolved');
  if (f.moved.length > 0 && low.includes('no single signal')) out.push('says no signal moved but some did');
  const top = f.moved[0];
  // "near its normal" is a claim about the value: only true within 3 learned standard deviations.
  if (top && Math.abs(top.z) > 3 && NEAR_WORDS.some((w) => low.includes(w)))
    out.push(`says near normal but ${top.name} is ${Math.abs(top.z).toFixed(1)} sd away`);

  // Direction words belong to the nearest signal named before them, within one clause.
  for (const clause of low.replace(/dropped out/g, 'dropout').split(/[.;—]|\band\b|\bwhile\b|\bwith\b/)) {
    let dir: 'up' | 'down' | 'steady' | null = null;
    let skip = 0;
    const words = clause.split(/[^\p{L}\p{N}/°%]+/u);
    for (const [i, w] of words.entries()) {
      if (skip > 0) {
        skip--; // still inside a signal name that was matched at an earlier word
        continue;
      }
      const rest = words.slice(i).join(' ');
      const named = (n: string): boolean => rest.startsWith(n) && (rest.length === n.length || rest[n.length] === ' ');
      const mv = moved.find((m) => m.names.some(named));
      const stName = mv ? undefined : steady.flat().find(named);
      const name = mv ? mv.names.find(named) : stName;
      if (name !== undefined) {
        dir = mv ? mv.direction : 'steady';
        skip = name.split(' ').length - 1;
        continue;
      }
      if (dir === null) continue;
      if (UP_WORDS.includes(w) && dir !== 'up') out.push(`says "${w}" of a signal that went ${dir}`);
      if (DOWN_WORDS.includes(w) && dir !== 'down') out.push(`says "${w}" of a signal that went ${dir}`);
    }
  }
  return out;
}
