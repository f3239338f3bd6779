import type { Config } from './schema.js';
import { parseTopicPattern } from '../ingest/topics.js';

/** Cross-field checks zod cannot express per field. Returns `path: message (got VALUE)` lines. */
export function crossChecks(cfg: Config): string[] {
  const out: string[] = [];
  cfg.plant.subscriptions.forEach((s, i) => {
    const at = `plant.subscriptions.${i}`;
    let captures: string[] = [];
    try {
      captures = parseTopicPattern(s.topic).captures;
    } catch (err) {
      out.push(`${at}.topic: ${(err as Error).message} (got ${JSON.stringify(s.topic)})`);
      return;
    }
    if (s.decoder === 'sparkplug') {
      if (!s.topic.startsWith('spBv1.0/'))
        out.push(`${at}.topic: a sparkplug subscription must start with spBv1.0/ (got ${JSON.stringify(s.topic)})`);
      return;
    }
    if (!captures.includes('asset') && !s.asset) {
      out.push(`${at}.asset: topic has no {asset} capture, so a fixed asset is required (got nothing)`);
    }
    const hasSignal = captures.includes('signal') || s.signal !== undefined || (s.decoder === 'json' && s.json?.signals !== undefined);
    if (!hasSignal) {
      out.push(`${at}.signal: topic has no {signal} capture and no json.signals map, so a fixed signal is required (got nothing)`);
    }
    if (s.decoder !== 'json' && s.json) out.push(`${at}.json: only used with decoder "json" (got decoder ${JSON.stringify(s.decoder)})`);
  });
  return out;
}
