import { join } from 'node:path';
import { parseConfig } from '../../agent/config/load.js';
import type { Config, ConfigInput } from '../../agent/config/schema.js';

/**
 * The fields of the sentinel-config node as the editor stores them (strings
 * from text inputs, or numbers). Each maps to one key of the agent's config
 * schema; the schema, not this file, decides what is valid.
 */
export interface ConfigNodeFields {
  site?: string;
  agentId?: string;
  stateDir?: string;
  learnSamples?: string | number;
  learnSeconds?: string | number;
  deadlineMs?: string | number;
  stalenessMs?: string | number;
  threshold?: string | number;
  kind?: string;
  modelCard?: string;
  riskQ?: string | number;
  threads?: string | number;
  openAfter?: string | number;
  resolveAfter?: string | number;
  deadband?: string | number;
  cooldownS?: string | number;
  explainMode?: string;
  budgetMs?: string | number;
  units?: string;
}

/** '' and undefined mean "not set" (use the schema default); numbers stay numbers, other text becomes NaN so the schema names it. */
function num(v: string | number | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  return typeof v === 'number' ? v : Number(String(v).trim());
}

function text(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/** Drops undefined keys so zod applies its defaults. */
function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Parses the units field: a JSON object of signal name → unit, e.g. {"temp":"°C"}. */
function units(v: string | undefined): unknown {
  const t = text(v);
  if (t === undefined) return undefined;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    // Handed to the schema as-is: it reports "expected record" with the bad text.
    return t;
  }
}

/**
 * Builds the agent config input from the node fields. `defaultStateDir` is
 * where this config node keeps baselines and alert state when the user set
 * none (Node-RED userDir/edge-sentinel/<config node id>).
 */
export function configInput(f: ConfigNodeFields, defaultStateDir: string): ConfigInput {
  return {
    agent: defined({ site: text(f.site), id: text(f.agentId), stateDir: text(f.stateDir) ?? defaultStateDir }),
    assets: defined({
      defaults: defined({
        learnSamples: num(f.learnSamples),
        learnSeconds: num(f.learnSeconds),
        deadlineMs: num(f.deadlineMs),
        stalenessMs: num(f.stalenessMs),
        threshold: num(f.threshold),
        kind: text(f.kind),
        modelCard: text(f.modelCard),
      }),
      units: units(f.units) as Record<string, string> | undefined,
    }),
    detect: defined({ riskQ: num(f.riskQ), threads: num(f.threads) }),
    alerts: defined({
      openAfter: num(f.openAfter),
      resolveAfter: num(f.resolveAfter),
      deadband: num(f.deadband),
      cooldownS: num(f.cooldownS),
    }),
    explain: defined({ mode: text(f.explainMode) as 'lm' | 'template' | undefined, budgetMs: num(f.budgetMs) }),
    // Node-RED has its own HTTP server; the agent's metrics endpoint stays off inside it.
    observe: { http: { enabled: false } },
  };
}

/** Validates the node fields with the agent's one schema. Throws ConfigError (`.problems`: `path: message (got VALUE)`). */
export function parseNodeConfig(f: ConfigNodeFields, userDir: string, nodeId: string): Config {
  return parseConfig(configInput(f, join(userDir, 'edge-sentinel', nodeId.replace(/[^A-Za-z0-9_.-]/g, '_'))));
}
