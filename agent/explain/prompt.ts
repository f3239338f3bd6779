/**
 * From alert facts to what the model reads, and from what it writes back to
 * the final text. The built-in model reads categorical facts only ("facts-v1",
 * mirrored from models/lm/gen_corpus.py prompt_tokens) and writes placeholders
 * that fill() replaces with the formatted facts, so it cannot get a name or a
 * number wrong. Bring-your-own models read a rendered text prompt instead.
 */
import type { AlertFacts } from '../types.js';
import {
  PATTERN_PHRASES,
  assetLabel,
  fmtDuration,
  fmtRatio,
  fmtValue,
  inBand,
  joinNames,
  listNames,
  moreSignals,
  ratioOf,
  withUnit,
} from './format.js';
import { templateSummary } from './template.js';

/** The facts-v2 prompt tokens of the built-in model's summary task. Keep in step with gen_corpus.py prompt_tokens. */
export function factsPromptTokens(f: AlertFacts): string[] {
  const n = f.moved.length;
  const t = ['<bos>', '<task_sum>', `<st_${f.state}>`, `<sev_${f.severity}>`, `<pat_${f.pattern}>`, `<moved_${Math.min(n, 4)}>`];
  f.moved.slice(0, 3).forEach((m, i) => {
    t.push(`<d${i + 1}_${m.direction}>`);
    if (i === 0) {
      t.push(`<r1_${ratioOf(m) !== null ? 'yes' : 'no'}>`);
      if (f.state === 'resolved') t.push(`<band_${inBand(m) ? 'in' : 'out'}>`);
    }
  });
  t.push(`<steady_${Math.min(f.steady.length, 2)}>`, '<sep>');
  return t;
}

/** The prompt of the check task: how many playbook checks the model frames. */
export function checkPromptTokens(nChecks: number): string[] {
  return ['<bos>', '<task_check>', `<nchk_${Math.max(1, Math.min(nChecks, 3))}>`, '<sep>'];
}

/** Render a bring-your-own prompt template; unknown {vars} are left as written. */
export function renderPrompt(template: string, f: AlertFacts): string {
  const moved = f.moved
    .map((m) => {
      const r = ratioOf(m);
      const ratio = r !== null ? `, ${fmtRatio(r)} normal` : '';
      return `${m.name} ${m.direction === 'up' ? 'rose' : 'fell'} to ${withUnit(fmtValue(m.value), m.unit)} (normal ${withUnit(fmtValue(m.baseline), m.unit)}${ratio})`;
    })
    .join('; ');
  const vars: Record<string, string> = {
    asset: assetLabel(f),
    state: f.state,
    severity: f.severity,
    pattern: PATTERN_PHRASES[f.pattern],
    duration: fmtDuration(f.durationS),
    moved: moved || 'none',
    steady: listNames(f.steady) || 'none',
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

/** Value of one placeholder from the facts (and playbook checks), or null when there is none. */
function slot(name: string, f: AlertFacts, checks: readonly string[]): string | null {
  if (name === 'ASSET') return assetLabel(f);
  if (name === 'DUR') return fmtDuration(f.durationS);
  if (name === 'STEADY') return f.steady.length ? listNames(f.steady) : null;
  if (name === 'NMORE') return f.moved.length > 3 ? moreSignals(f.moved.length - 3) : null;
  if (name === 'CHECKS') return checks.length ? joinNames([...checks]) : null;
  const m = /^(SIGNAL|VALUE|UNIT|BASE|RATIO)_(\d)$/.exec(name);
  const mv = m ? f.moved[Number(m[2]) - 1] : undefined;
  if (!m || !mv) return null;
  switch (m[1]) {
    case 'SIGNAL':
      return mv.name;
    case 'VALUE':
      return fmtValue(mv.value);
    case 'BASE':
      return fmtValue(mv.baseline);
    case 'UNIT':
      return mv.unit.trim();
    default: {
      const r = ratioOf(mv);
      return r !== null ? fmtRatio(r) : null;
    }
  }
}

/**
 * Join the model's word tokens into text, fill placeholders from the facts and
 * tidy punctuation spacing. A sentence's first word is capitalised only when
 * the model wrote it: a filled-in name is never changed ("agv_17" stays).
 */
export function fill(words: string[], f: AlertFacts, checks: readonly string[] = []): Filled {
  const unfillable: string[] = [];
  const used: string[] = [];
  let start = true;
  const out = words.map((w) => {
    const m = /^<([A-Z]+(?:_\d)?)>$/.exec(w);
    const atStart = start;
    start = w === '.';
    if (!m?.[1]) return atStart ? w.charAt(0).toUpperCase() + w.slice(1) : w;
    used.push(m[1]);
    const v = slot(m[1], f, checks);
    if (v === null) unfillable.push(m[1]);
    // A slot that starts a sentence with a number or count is fine; a name stays as written.
    return v ?? w;
  });
  const text = out
    .filter((w) => w !== '')
    .join(' ')
    .replace(/\s+/g, ' ')
    .replace(/ ([,.:;)])/g, '$1')
    .replace(/\( /g, '(')
    .replace(/(\d) %/g, '$1%')
    .trim();
  return { text, unfillable, used };
}
