/**
 * From alert facts to what the model reads, and from what it writes back to
 * the final text. The built-in model reads categorical facts only ("facts-v1",
 * mirrored from models/lm/gen_corpus.py prompt_tokens) and writes placeholders
 * that fill() replaces with the formatted facts, so it cannot get a name or a
 * number wrong. Bring-your-own models read a rendered text prompt instead.
 */
import type { AlertFacts } from '../types.js';
import { PATTERN_PHRASES, assetLabel, fmtDuration, fmtRatio, fmtValue, humanName, joinNames, withUnit } from './format.js';
import { templateSummary } from './template.js';

/** The facts-v1 prompt tokens of the built-in model. Keep in step with gen_corpus.py. */
export function factsPromptTokens(f: AlertFacts): string[] {
  const n = f.moved.length;
  const t = ['<bos>', `<st_${f.state}>`, `<sev_${f.severity}>`, `<pat_${f.pattern}>`, `<moved_${Math.min(n, 3)}>`];
  const m1 = f.moved[0];
  if (m1) t.push(`<d1_${m1.direction}>`, `<r1_${m1.ratio !== null && Number.isFinite(m1.ratio) ? 'yes' : 'no'}>`);
  const m2 = f.moved[1];
  if (m2) t.push(`<d2_${m2.direction}>`);
  t.push(`<steady_${Math.min(f.steady.length, 2)}>`, '<sep>');
  return t;
}

/** Render a bring-your-own prompt template; unknown {vars} are left as written. */
export function renderPrompt(template: string, f: AlertFacts): string {
  const moved = f.moved
    .map((m) => {
      const ratio = m.ratio !== null && Number.isFinite(m.ratio) ? `, ${fmtRatio(m.ratio)} normal` : '';
      return `${humanName(m.name)} ${m.direction === 'up' ? 'rose' : 'fell'} to ${withUnit(fmtValue(m.value), m.unit)} (normal ${withUnit(fmtValue(m.baseline), m.unit)}${ratio})`;
    })
    .join('; ');
  const vars: Record<string, string> = {
    asset: assetLabel(f),
    state: f.state,
    severity: f.severity,
    pattern: PATTERN_PHRASES[f.pattern],
    duration: fmtDuration(f.durationS),
    moved: moved || 'none',
    steady: joinNames(f.steady.map(humanName)) || 'none',
    facts: templateSummary(f),
  };
  return template.replace(/\{(\w+)\}/g, (all, k: string) => vars[k] ?? all);
}

/** Result of filling placeholders: the text, or the placeholders the facts cannot fill. */
export interface Filled {
  text: string;
  /** Placeholders the model wrote that these facts have no value for (a raw slot error). */
  unfillable: string[];
  /** Placeholders used, for slot accounting. */
  used: string[];
}

/** Value of one placeholder from the facts, or null when the facts have none. */
function slot(name: string, f: AlertFacts): string | null {
  if (name === 'ASSET') return assetLabel(f);
  if (name === 'DUR') return fmtDuration(f.durationS);
  if (name === 'STEADY') return f.steady.length ? joinNames(f.steady.slice(0, 3).map(humanName)) : null;
  const m = /^(SIGNAL|VALUE|UNIT|BASE|RATIO)_(\d)$/.exec(name);
  const mv = m ? f.moved[Number(m[2]) - 1] : undefined;
  if (!m || !mv) return null;
  switch (m[1]) {
    case 'SIGNAL':
      return humanName(mv.name);
    case 'VALUE':
      return fmtValue(mv.value);
    case 'BASE':
      return fmtValue(mv.baseline);
    case 'UNIT':
      return mv.unit.trim();
    default:
      return mv.ratio !== null && Number.isFinite(mv.ratio) ? fmtRatio(mv.ratio) : null;
  }
}

/**
 * Join the model's word tokens into text, fill placeholders from the facts and
 * tidy punctuation spacing; sentences start with a capital letter.
 */
export function fill(words: string[], f: AlertFacts): Filled {
  const unfillable: string[] = [];
  const used: string[] = [];
  const out = words.map((w) => {
    const m = /^<([A-Z]+(?:_\d)?)>$/.exec(w);
    if (!m?.[1]) return w;
    used.push(m[1]);
    const v = slot(m[1], f);
    if (v === null) unfillable.push(m[1]);
    return v ?? w;
  });
  const text = out
    .join(' ')
    .replace(/\s+/g, ' ')
    .replace(/ ([,.:;)])/g, '$1')
    .replace(/\( /g, '(')
    .replace(/(\d) %/g, '$1%')
    .replace(/(^|[.!?] )([a-z])/g, (_a, p: string, c: string) => p + c.toUpperCase())
    .trim();
  return { text, unfillable, used };
}
