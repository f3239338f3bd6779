/**
 * One explanation with a loaded model: prompt → generate → fill → verify,
 * retried once with another seed when the verifier rejects the text. Runs in
 * the worker (and in the bench, in-process, to measure raw slot accuracy).
 */
import type { AlertFacts } from '../types.js';
import { verifyCheck } from './playbook.js';
import { checkPromptTokens, factsPromptTokens, fill, renderPrompt } from './prompt.js';
import { nowMs, type LmRunner } from './runner.js';
import { verifySummary } from './verify.js';

/** Sampling and budget settings of one explanation. */
export interface AttemptOptions {
  maxTokens: number;
  topK: number;
  temperature: number;
  seed: number;
  retry: boolean;
  deadline: number;
  promptTemplate?: string | undefined;
  stop?: string[] | undefined;
  knownSignals?: string[] | undefined;
  delayMsPerToken?: number | undefined;
}

/** One generation and what the verifier thought of it. */
export interface AttemptTrace {
  raw: string;
  text: string;
  ok: boolean;
  problems: string[];
  tokens: number;
  stoppedBy: 'stop' | 'cap' | 'budget';
}

export interface AttemptResult {
  /** Verified text, or null when both tries failed (caller uses the template). */
  text: string | null;
  tries: AttemptTrace[];
}

/** FNV-1a over the facts that shape the sentence: varied phrasing per alert, reproducible per alert. */
export function factsSeed(base: number, f: AlertFacts): number {
  let h = 0x811c9dc5 ^ base;
  for (const ch of `${f.asset}|${f.state}|${f.pattern}|${f.moved.map((m) => m.name).join(',')}|${Math.round(f.durationS)}`) {
    h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  }
  return h >>> 0;
}

async function once(r: LmRunner, f: AlertFacts, o: AttemptOptions, seed: number): Promise<AttemptTrace> {
  const tok = r.tokenizer;
  const delex = r.info.delexicalised && !o.promptTemplate;
  const prompt = delex ? factsPromptTokens(f).map((t) => tok.tokenId(t) ?? 0) : tok.encode(renderPrompt(o.promptTemplate ?? '{facts}', f));
  const stopIds = (o.stop ?? []).map((s) => tok.tokenId(s)).filter((x): x is number => x !== undefined);
  const g = await r.generate(prompt, {
    maxTokens: o.maxTokens,
    topK: o.topK,
    temperature: o.temperature,
    seed,
    stopIds,
    deadline: o.deadline,
    delayMsPerToken: o.delayMsPerToken,
  });
  const problems: string[] = [];
  let raw: string;
  let text: string;
  if (delex) {
    const words = g.ids.map((i) => tok.tokenOf(i) ?? '<unk>');
    raw = words.join(' ');
    const filled = fill(words, f);
    text = filled.text;
    for (const u of filled.unfillable) problems.push(`placeholder <${u}> has no value in the facts`);
  } else {
    raw = tok.decode(g.ids);
    // Stop strings that are not single tokens end the text where they start.
    const cut = Math.min(...(o.stop ?? []).map((s) => raw.indexOf(s)).filter((i) => i >= 0), raw.length);
    text = raw.slice(0, cut).replace(/\s+/g, ' ').trim();
  }
  if (g.stoppedBy !== 'stop') problems.push(`generation ended by ${g.stoppedBy}`);
  if (problems.length === 0) problems.push(...verifySummary(text, f, o.knownSignals).problems);
  return { raw, text, ok: problems.length === 0, problems, tokens: g.ids.length, stoppedBy: g.stoppedBy };
}

/** The model words the playbook's check sentence (built-in model only); null = use the template sentence. */
export async function checkWithModel(r: LmRunner, f: AlertFacts, items: readonly string[], o: AttemptOptions): Promise<string | null> {
  if (!r.info.delexicalised || o.promptTemplate || items.length === 0) return null;
  const tok = r.tokenizer;
  const ids = checkPromptTokens(items.length).map((t) => tok.tokenId(t));
  if (ids.some((i) => i === undefined)) return null; // a model without the check task
  const g = await r.generate(ids as number[], {
    maxTokens: 16,
    topK: o.topK,
    temperature: o.temperature,
    seed: factsSeed(o.seed + 1, f),
    stopIds: [],
    deadline: o.deadline,
    delayMsPerToken: o.delayMsPerToken,
  });
  if (g.stoppedBy !== 'stop') return null;
  const filled = fill(
    g.ids.map((i) => tok.tokenOf(i) ?? '<unk>'),
    f,
    items,
  );
  return filled.unfillable.length === 0 && verifyCheck(filled.text, items).ok ? filled.text : null;
}

/** Explain with the model; null text means "use the template". */
export async function explainWithModel(r: LmRunner, f: AlertFacts, o: AttemptOptions): Promise<AttemptResult> {
  const seed = factsSeed(o.seed, f);
  const first = await once(r, f, o, seed);
  if (first.ok) return { text: first.text, tries: [first] };
  if (!o.retry || nowMs() >= o.deadline) return { text: null, tries: [first] };
  const second = await once(r, f, o, (seed + 0x9e3779b9) >>> 0);
  return { text: second.ok ? second.text : null, tries: [first, second] };
}
