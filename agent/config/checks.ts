import type { Config } from './schema.js';
import { parseTopicPattern } from '../ingest/topics.js';

/** True for an address only this host can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::ffff:127.0.0.1';
}

/** Cross-field checks zod cannot express per field. Returns `path: message (got VALUE)` lines. */
export function crossChecks(cfg: Config): string[] {
  const out: string[] = [];
  const http = cfg.observe.http;
  if (http.enabled && !isLoopback(http.host) && http.token === undefined && http.tokenFile === undefined) {
    out.push(
      `observe.http.host: listening beyond this host needs observe.http.token or tokenFile (anyone who can reach the port could otherwise use it); keep 127.0.0.1 or set a token (got ${JSON.stringify(http.host)})`,
    );
  }
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
    if (s.sparkplug) out.push(`${at}.sparkplug: only used with decoder "sparkplug" (got decoder ${JSON.stringify(s.decoder)})`);
  });
  out.push(...fleetChecks(cfg));
  const allow = cfg.uplink.egress.allow;
  if (cfg.uplink.format === 'sparkplug' && (!allow.includes('alert') || !allow.includes('status'))) {
    out.push(
      `uplink.egress.allow: uplink.format sparkplug needs "alert" (DDATA) and "status" (births and deaths) (got ${JSON.stringify(allow)})`,
    );
  }
  return out;
}

/** Remote management needs someone to trust and a broker to listen on. */
function fleetChecks(cfg: Config): string[] {
  const f = cfg.fleet;
  if (!f.enabled) return [];
  const out: string[] = [];
  if (f.trustedKeys.length === 0) out.push('fleet.trustedKeys: fleet.enabled is true but no key is trusted (got [])');
  if (!f.broker && !cfg.uplink.broker)
    out.push('fleet.broker: fleet.enabled is true but neither fleet.broker nor uplink.broker is set (got nothing)');
  const ids = f.trustedKeys.map((k) => k.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup !== undefined) out.push(`fleet.trustedKeys: key id ${JSON.stringify(dup)} is listed twice (got ${JSON.stringify(ids)})`);
  return out;
}
