/**
 * Digest for alert storms: when several assets open alerts within
 * explain.digest.windowS, one sentence summarises them, grouping the same
 * asset kind and pattern ("3 pumps (P-1, P-2 and P-3) show gradual drift"),
 * so an operator in a storm reads one line first. Deterministic: built from
 * the alerts' facts with the shared formatters, names as written.
 */
import { z } from 'zod';
import { PATTERNS, type AlertFacts, type Severity } from '../types.js';
import { PATTERN_PHRASES, assetLabel, fmtDuration, joinNames } from './format.js';

/** One group of the digest: same kind and pattern. */
export interface DigestGroup {
  kind: string;
  pattern: AlertFacts['pattern'];
  assets: string[];
  severity: Severity;
}

export interface Digest {
  text: string;
  groups: DigestGroup[];
  assets: string[];
  /** First and last alert open in the window, ms epoch. */
  from: number;
  to: number;
}

const SEV_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** English plural of an asset kind: pump → pumps, press → presses, battery → batteries. */
export function pluralKind(kind: string): string {
  if (/(s|x|z|ch|sh)$/i.test(kind)) return `${kind}es`;
  if (/[^aeiou]y$/i.test(kind)) return `${kind.slice(0, -1)}ies`;
  return `${kind}s`;
}

const listAssets = (xs: string[]): string => (xs.length <= 3 ? joinNames(xs) : `${xs.slice(0, 3).join(', ')} and ${xs.length - 3} more`);

/** The digest of alerts opened within one window (at least one alert; one per asset, the worst kept). */
export function buildDigest(alerts: Array<{ facts: AlertFacts; at: number }>): Digest {
  const byAsset = new Map<string, { facts: AlertFacts; at: number }>();
  for (const a of alerts) {
    const prev = byAsset.get(a.facts.asset);
    if (!prev || SEV_RANK[a.facts.severity] > SEV_RANK[prev.facts.severity]) byAsset.set(a.facts.asset, a);
  }
  const groups = new Map<string, DigestGroup>();
  for (const { facts } of byAsset.values()) {
    const kind = facts.assetKind?.trim() ?? '';
    const key = `${kind.toLowerCase()}\u0000${facts.pattern}`;
    const g = groups.get(key) ?? { kind, pattern: facts.pattern, assets: [], severity: 'info' as Severity };
    g.assets.push(facts.asset);
    if (SEV_RANK[facts.severity] > SEV_RANK[g.severity]) g.severity = facts.severity;
    groups.set(key, g);
  }
  // Largest group first, then the worst; stable by first appearance.
  const ordered = [...groups.values()].sort((a, b) => b.assets.length - a.assets.length || SEV_RANK[b.severity] - SEV_RANK[a.severity]);
  const ats = alerts.map((a) => a.at);
  const from = Math.min(...ats);
  const to = Math.max(...ats);
  const parts = ordered.map((g) => {
    const pattern = PATTERN_PHRASES[g.pattern];
    if (g.assets.length === 1) {
      const only = byAsset.get(g.assets[0] ?? '')?.facts;
      return `${only ? assetLabel(only) : g.assets[0]} shows ${pattern}${g.severity === 'info' ? '' : ` (${g.severity})`}`;
    }
    const sev = g.severity === 'info' ? '' : ` (worst: ${g.severity})`;
    const what = g.kind ? pluralKind(g.kind) : 'assets';
    return `${g.assets.length} ${what} (${listAssets(g.assets)}) show ${pattern}${sev}`;
  });
  const n = byAsset.size;
  const text = `${n} assets alerted within ${fmtDuration((to - from) / 1000)}: ${parts.join('; ')}.`;
  return { text, groups: ordered, assets: [...byAsset.keys()], from, to };
}

/**
 * Collects opened alerts; when minAssets distinct assets opened within
 * windowS of the first, it emits one digest at the end of that window (and
 * then starts a new window with the next alert).
 */
export class DigestCollector {
  private pending: Array<{ facts: AlertFacts; at: number }> = [];
  private timer: NodeJS.Timeout | undefined;
  readonly counters = { digests: 0, alertsDigested: 0 };

  constructor(
    private readonly windowS: number,
    private readonly minAssets: number,
    private readonly emit: (d: Digest) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Feed every alert transition; only opens count. */
  add(facts: AlertFacts): void {
    if (this.windowS <= 0 || facts.state !== 'open') return;
    this.pending.push({ facts, at: this.now() });
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.windowS * 1000);
      this.timer.unref();
    }
  }

  /** Close the current window: emit its digest when enough assets alerted in it. */
  flush(): Digest | null {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (new Set(batch.map((a) => a.facts.asset)).size < this.minAssets) return null;
    const d = buildDigest(batch);
    this.counters.digests++;
    this.counters.alertsDigested += batch.length;
    this.emit(d);
    return d;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
  }
}

/** The upstream digest message (its own egress kind "digest", allowlisted like any other). */
export const digestMessageSchema = z
  .object({
    v: z.literal(1),
    kind: z.literal('digest'),
    site: z.string().min(1).max(128),
    agentId: z.string().min(1).max(128),
    /** ISO 8601: first and last alert opened in the window. */
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    text: z.string().max(2000),
    assets: z.array(z.string().max(128)).max(1000),
    groups: z
      .array(
        z
          .object({
            kind: z.string().max(64),
            pattern: z.enum(PATTERNS),
            assets: z.array(z.string().max(128)).max(1000),
            severity: z.enum(['info', 'warning', 'critical']),
          })
          .strict(),
      )
      .max(1000),
  })
  .strict();
export type DigestMessage = z.infer<typeof digestMessageSchema>;

/** The wire form of a digest. */
export function digestMessage(d: Digest, site: string, agentId: string): DigestMessage {
  const iso = (ms: number): string => new Date(Number.isFinite(ms) ? ms : 0).toISOString();
  return { v: 1, kind: 'digest', site, agentId, from: iso(d.from), to: iso(d.to), text: d.text, assets: d.assets, groups: d.groups };
}
