/** Shared builders for alert tests: configs, decisions, a silent logger, an instant explainer. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { configSchema, type Config, type ConfigInput } from '../../agent/config/schema.js';
import type { SummaryExplainer } from '../../agent/alerts/payload.js';
import { explainSection } from '../../agent/config/sections/explain.js';
import { createExplainer } from '../../agent/explain/explainer.js';
import type { Decision } from '../../agent/types.js';

export const silent = pino({ level: 'silent' });

export function makeConfig(input: ConfigInput = {}): Config {
  return configSchema.parse(input);
}

export function tempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `es-${tag}-`));
}

let tick = 0;
/** A distinct sample instant per call, 20 ms apart (the lifecycle counts streaks per sample instant, alerts.instantMs). */
const nextTs = (): number => Date.now() + (tick++ % 1000) * 20;

/** A decision for `asset`: anomalous when score > threshold (threshold 1). */
export function decision(asset: string, score: number, ts = nextTs(), z = score * 3): Decision {
  const anomalous = score > 1;
  const d: Decision = {
    asset,
    ts,
    phase: 'detecting',
    score,
    threshold: 1,
    anomalous,
    source: 'model',
    latencyUs: 100,
    deadlineMissed: false,
  };
  if (anomalous) {
    d.evidence = [
      { signal: 'vibration', unit: 'mm/s', value: 2.5 + z * 0.4, baseline: 2.5, spread: 0.4, z, ratio: (2.5 + z * 0.4) / 2.5 },
      { signal: 'temperature', unit: 'degC', value: 60.2, baseline: 60, spread: 1, z: 0.2, ratio: 60.2 / 60 },
    ];
    d.diagnosis = { pattern: 'level_shift', signals: ['vibration'], confidence: 0.8 };
  }
  return d;
}

/** The real explainer in template mode (no model). */
export const templateExplainer: SummaryExplainer = createExplainer(explainSection.parse({ mode: 'template' }), silent);
