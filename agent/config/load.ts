import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { EdgeError } from '../errors.js';
import { configSchema, type Config } from './schema.js';
import { crossChecks } from './checks.js';
import { dropRemovedKeys } from './removed.js';

/** A config that failed validation: every problem as `path: message (got VALUE)`. */
export class ConfigError extends EdgeError {
  constructor(
    readonly problems: string[],
    readonly file?: string,
  ) {
    super('E_CONFIG', `invalid config${file ? ` ${file}` : ''}:\n  ${problems.join('\n  ')}`);
  }
}

const SECRET_KEY = /pass(word)?|secret|token|key$/i;

/**
 * Reads a YAML or JSON file, substitutes ${ENV}, validates. Throws ConfigError.
 * Keys of earlier versions that were removed are dropped with a line in `notes`
 * (validate prints them, run logs them).
 */
export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env, notes?: string[]): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`(file): cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`], file);
  }
  let raw: unknown;
  try {
    raw = text.trim() === '' ? {} : parseYaml(text, { prettyErrors: true });
  } catch (err) {
    throw new ConfigError([`(syntax): ${(err as Error).message.split('\n')[0]}`], file);
  }
  return parseConfig(raw ?? {}, env, file, notes);
}

/** Validates an already-parsed object (used by the CLI, the demo and Node-RED nodes); see loadConfigFile for `notes`. */
export function parseConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env, file?: string, notes?: string[]): Config {
  const problems: string[] = [];
  const substituted = substituteEnv(raw, env, [], problems);
  if (problems.length) throw new ConfigError(problems, file);
  // Keys an earlier version had are dropped, with a note (config/removed.ts); notes quote the value as written.
  const current = dropRemovedKeys(substituted);
  notes?.push(...dropRemovedKeys(raw).notes);
  const res = configSchema.safeParse(current.raw);
  // Problems quote the value as written (${ENV} references unexpanded): a substituted value may be a secret.
  if (!res.success) throw new ConfigError(formatIssues(res.error.issues, raw), file);
  const cross = crossChecks(res.data);
  if (cross.length) throw new ConfigError(cross, file);
  return res.data;
}

/** `path: message (got VALUE)` for each zod issue; secrets are never echoed. */
export function formatIssues(issues: z.core.$ZodIssue[], input: unknown): string[] {
  return issues.map((iss) => {
    const path = iss.path.map(String);
    const where = path.length ? path.join('.') : '(root)';
    let got = valueAt(input, path);
    if (iss.code === 'unrecognized_keys') {
      const keys = (iss as { keys: string[] }).keys;
      got = keys.length === 1 ? valueAt(input, [...path, keys[0]!]) : keys;
    }
    const shown = path.some((p) => SECRET_KEY.test(p)) ? '[redacted]' : show(got);
    return `${where}: ${iss.message} (got ${shown})`;
  });
}

function valueAt(obj: unknown, path: string[]): unknown {
  let cur: unknown = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = (typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v))).replace(
    // The password of a URL's user:password@ part.
    /(\/\/[^:/@\s"]*):[^@/\s"]*@/g,
    '$1:[redacted]@',
  );
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}

/** Replaces ${NAME} and ${NAME:-default} in every string value. */
function substituteEnv(v: unknown, env: NodeJS.ProcessEnv, path: string[], problems: string[]): unknown {
  if (typeof v === 'string') {
    return v.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, def: string | undefined) => {
      const val = env[name];
      if (val !== undefined) return val;
      if (def !== undefined) return def;
      problems.push(`${path.join('.') || '(root)'}: environment variable ${name} is not set (got \${${name}})`);
      return '';
    });
  }
  if (Array.isArray(v)) return v.map((x, i) => substituteEnv(x, env, [...path, String(i)], problems));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = substituteEnv(x, env, [...path, k], problems);
    return out;
  }
  return v;
}

// In its own module so the hot thread can read broker secrets without loading the config schema (zod, yaml).
export { resolveSecret } from './secret.js';
