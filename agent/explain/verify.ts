/**
 * The fact-checker every generated summary passes before it ships: it checks
 * claims, not only tokens. Numbers, units, ratios and durations must be the
 * facts'; names exact (case-sensitive, whole tokens, never inside numbers);
 * every moved signal named or counted, each in its own direction ("also"
 * only after one that went the same way); "near"/"settled"/"stayed normal"
 * only inside the normal band; severity stated for warning and critical and
 * right; wording that fits the lifecycle state; verbs that agree; and only
 * words of the closed vocabulary. Anything it rejects ships as the template,
 * which always passes (a property test checks).
 */
import type { AlertFacts, Pattern } from '../types.js';
import { checkClaims, type ClaimFindings, type Issue, type IssueKind } from './claims.js';
import { PATTERN_PHRASES, assetLabel } from './format.js';
import { namesOf, scan, type Tok } from './scan.js';
import { ACTIVE_WORDS, PUNCT, RESOLVED_WORDS, SEVERITY_WORDS, VOCAB } from './vocab.js';

export type { Issue, IssueKind };

/** Verdict with every problem found (empty when ok); issues carry the kind of each. */
export interface Verdict {
  ok: boolean;
  problems: string[];
  issues: Issue[];
}

/** A single word that names a pattern on its own. */
const PATTERN_KEYWORDS: Record<string, Pattern> = {
  spike: 'spike',
  shift: 'level_shift',
  drift: 'drift',
  variability: 'variance_change',
  stuck: 'stuck',
  dropout: 'dropout',
  oscillation: 'oscillation',
  unclassified: 'unknown',
};

/** The text's words in order, lower case, names and numbers left out (phrase search). */
const wordsLine = (toks: Tok[]): string =>
  ` ${toks
    .filter((t) => t.k === 'word')
    .map((t) => (t.k === 'word' ? t.low : ''))
    .join(' ')} `;

/** Check a final summary against the facts. Pure and synchronous. */
export function verifySummary(text: string, f: AlertFacts, knownSignals: readonly string[] = []): Verdict {
  const v = verifyWithFindings(text, f, knownSignals);
  return { ok: v.ok, problems: v.problems, issues: v.issues };
}

/** verifySummary plus what the clause pass saw (for the rubric's coverage). */
export function verifyWithFindings(
  text: string,
  f: AlertFacts,
  knownSignals: readonly string[] = [],
): Verdict & { findings: ClaimFindings } {
  const issues: Issue[] = [];
  const add = (kind: IssueKind, message: string): void => void issues.push({ kind, message });
  const toks = scan(text, f, knownSignals);
  const claims = checkClaims(toks, f);
  issues.push(...claims.issues);
  const line = wordsLine(toks);
  const has = (w: string): boolean => line.includes(` ${w} `);

  // Names: the asset is named; no fact name appears with another case or spelling.
  if (!toks.some((t) => (t.k === 'name' && t.kind === 'asset') || (t.k === 'num' && t.alsoName && t.text === f.asset)))
    add('missing', `asset ${f.asset} not named`);
  for (const t of toks) {
    if (t.k !== 'word') continue;
    const alt = t.phrase ? undefined : namesOf(f).find((n) => /\p{L}/u.test(n.text) && n.text.toLowerCase() === t.low && n.text !== t.text);
    if (alt) add('name', `name ${alt.text} written as ${t.text}`);
    else if (!VOCAB.has(t.low)) add('vocabulary', `word "${t.text}" is not in the summary vocabulary`);
  }
  for (const t of toks) if (t.k === 'punct' && !PUNCT.has(t.text)) add('vocabulary', `character "${t.text}" is not allowed`);

  // Coverage the verifier insists on: the top signal with its value, every moved signal named or counted.
  // Stale alerts talk about the silence; resolved ones name the top signal only.
  const top = f.stale ? undefined : f.moved[0];
  if (top && !claims.movedNamed.has(0)) add('missing', `top signal ${top.name} not named`);
  if (top && !claims.topValueSeen) add('missing', `value of ${top.name} not stated`);
  const counted = claims.more ?? 0;
  if (claims.more !== null && claims.movedNamed.size + claims.more !== f.moved.length)
    add('count', `says ${claims.more} more signals moved, facts have ${f.moved.length - claims.movedNamed.size}`);
  else if (top && f.state !== 'resolved' && claims.movedNamed.size + counted < f.moved.length) {
    const missing = f.moved.filter((_m, i) => !claims.movedNamed.has(i)).map((m) => m.name);
    add('missing', `moved signal(s) ${missing.join(', ')} neither named nor counted`);
  }
  if (f.moved.length > 0 && line.includes(' no single signal ')) add('state', 'says no signal stands out but some moved');
  if (!claims.durationSeen) add('missing', 'duration not stated');

  // Severity: stated (and right) while the alert is active; never a wrong one.
  for (const w of SEVERITY_WORDS) if (w !== f.severity && has(w)) add('severity', `says ${w} but severity is ${f.severity}`);
  if (f.state !== 'resolved' && f.severity !== 'info' && !has(f.severity)) add('missing', `severity ${f.severity} not stated`);

  // Pattern: its phrase, and no other pattern's words.
  if (!line.includes(` ${PATTERN_PHRASES[f.pattern]} `) && !(f.pattern === 'unknown' && line.includes(' known pattern ')))
    add('missing', `pattern "${PATTERN_PHRASES[f.pattern]}" not stated`);
  for (const [w, p] of Object.entries(PATTERN_KEYWORDS))
    if (p !== f.pattern && has(w)) add('pattern', `names pattern ${p} but diagnosis is ${f.pattern}`);

  // Lifecycle state.
  const resolvedSaid = [...RESOLVED_WORDS].some(has) || line.includes(' back to normal ');
  const activeSaid = [...ACTIVE_WORDS].some(has);
  if (f.state === 'resolved' && !resolvedSaid) add('state', 'resolved alert not said to be resolved');
  if (f.state !== 'resolved' && resolvedSaid) add('state', `says resolved but state is ${f.state}`);
  if (f.state === 'resolved' && activeSaid) add('state', 'says still active but state is resolved');
  if (f.state === 'open' && activeSaid) add('state', 'says "still" of a new alert');
  if (f.state === 'update' && !activeSaid && !f.stale) add('state', 'update not said to be still active');

  // Grammar: sentences start upper-case unless with a name; no repeated words or broken punctuation.
  const names = new Set(namesOf(f).map((n) => n.text));
  names.add(assetLabel(f));
  for (const s of text.split(/(?<=\.)\s+/)) {
    const c = s.charAt(0);
    if (c && c !== c.toUpperCase() && ![...names].some((n) => s.startsWith(n)))
      add('grammar', `sentence starts in lower case: "${s.slice(0, 20)}"`);
  }
  if (/(^|\s)(\p{L}+) \2(?=\s|[,.;:]|$)/iu.test(text)) add('grammar', 'repeated word');
  if (/[,:;]\s*[,:;]|\(\s*[,.:;]|\.\s*\.|\(\s*\)/.test(text)) add('grammar', 'broken punctuation');
  return { ok: issues.length === 0, problems: issues.map((i) => i.message), issues, findings: claims };
}
