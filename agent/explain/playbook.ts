/**
 * The "what to check" playbook: YAML keyed by asset kind x pattern x signal,
 * mapping to 1-3 checks. The built-in defaults (models/lm/playbook.yaml) cover
 * pumps, motors, compressors, valves, fans and heat exchangers; a site points
 * explain.playbook at its own copy. The check sentence is worded around the
 * playbook's checks only, and verifyCheck accepts nothing else.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { EdgeError, errMessage } from '../errors.js';
import { PATTERNS, type AlertFacts } from '../types.js';
import { joinNames } from './format.js';

const anyOr = <T extends z.ZodTypeAny>(t: T) => z.union([z.literal('*'), z.array(t).min(1)]);
const ruleSchema = z
  .object({
    pattern: anyOr(z.enum(PATTERNS)),
    signal: anyOr(z.string().min(1)),
    checks: z.array(z.string().trim().min(1).max(60)).min(1).max(3),
  })
  .strict();
export const playbookSchema = z
  .object({
    version: z.literal(1),
    kinds: z.record(z.string(), z.object({ match: z.array(z.string().min(1)).min(1), rules: z.array(ruleSchema).min(1) }).strict()),
  })
  .strict();
export type Playbook = z.infer<typeof playbookSchema>;

/** The built-in playbook file, from TS sources (agent/explain) or compiled JS (dist/agent/explain). */
export function builtinPlaybookPath(): string {
  for (const rel of ['../../models/lm/playbook.yaml', '../../../models/lm/playbook.yaml']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  return fileURLToPath(new URL('../../models/lm/playbook.yaml', import.meta.url));
}

/** Read and validate a playbook; a bad file is an E_CONFIG error naming the file and the problem. */
export function loadPlaybook(path = builtinPlaybookPath()): Playbook {
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new EdgeError('E_CONFIG', `playbook ${path}: ${errMessage(err)}`);
  }
  const r = playbookSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new EdgeError('E_CONFIG', `playbook ${path}: ${i?.path.join('.') ?? ''} ${i?.message ?? 'invalid'}`);
  }
  return r.data;
}

/** The checks for an alert: its asset kind's first rule matching the pattern and the top moved signal; [] when none. */
export function checksFor(pb: Playbook, f: Pick<AlertFacts, 'assetKind' | 'pattern' | 'moved'>): string[] {
  const kind = f.assetKind?.trim().toLowerCase();
  if (!kind) return [];
  const entry = Object.values(pb.kinds).find((k) => k.match.some((m) => m.toLowerCase() === kind));
  if (!entry) return [];
  const signal = f.moved[0]?.name.toLowerCase() ?? '';
  const rule = entry.rules.find(
    (r) =>
      (r.pattern === '*' || r.pattern.includes(f.pattern)) &&
      (r.signal === '*' || (signal !== '' && r.signal.some((s) => signal.includes(s.toLowerCase())))),
  );
  return rule ? [...rule.checks] : [];
}

/** The deterministic check sentence. */
export function templateCheck(items: readonly string[]): string {
  return `Check ${joinNames([...items])}.`;
}

/** Frame words a check sentence may use around the playbook's items. */
const CHECK_FRAME = new Set(['check', 'checks', 'checking', 'what', 'to', 'suggested', 'worth', 'first', 'and']);

/** Accept a check sentence only if it is every playbook item, in order, inside frame words. */
export function verifyCheck(text: string, items: readonly string[]): { ok: boolean; problems: string[] } {
  const problems: string[] = [];
  let rest = text;
  let pos = 0;
  for (const it of items) {
    const at = rest.indexOf(it, pos);
    if (at < 0) {
      problems.push(`check "${it}" missing`);
      continue;
    }
    rest = `${rest.slice(0, at)} ${rest.slice(at + it.length)}`;
    pos = at + 1;
  }
  for (const w of rest.split(/[\s,.:;]+/).filter(Boolean)) {
    if (!CHECK_FRAME.has(w.toLowerCase())) problems.push(`"${w}" is not playbook content`);
  }
  if (!/^\S/.test(text) || !/\.$/.test(text)) problems.push('not one sentence');
  return { ok: problems.length === 0, problems };
}
