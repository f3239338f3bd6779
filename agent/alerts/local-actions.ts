/**
 * Optional local actions: publish a command on the *plant* broker (e.g. a
 * safe-stop request to a PLC bridge) when an alert of at least a given
 * severity opens. Runs synchronously inside the decision listener, so the
 * command is handed to the local broker within the sample's deadline. It only
 * ever gets `publishLocal` — it has no path to the uplink by construction.
 */
import type { Logger } from 'pino';
import type { AlertsConfig, LocalActionRule } from '../config/sections/alerts.js';
import type { Severity } from '../types.js';
import type { Transition } from './lifecycle.js';
import { severityRank } from './severity.js';

/** Publish on the plant broker; must not block (mqtt.js queues the write). */
export type PublishLocal = (topic: string, payload: Buffer, opts?: { qos: 0 | 1 }) => void;

export interface LocalActionStats {
  fired: number;
  rateLimited: number;
  failed: number;
}

function fill(tpl: string, v: Record<string, string>): string {
  return tpl.replace(/\{(asset|site|severity|alertId|pattern)\}/g, (_m, k: string) => v[k] ?? '');
}

export class LocalActions {
  readonly stats: LocalActionStats = { fired: 0, rateLimited: 0, failed: 0 };
  /** `${rule}|${asset}` → last fire time (ms), for the rate limit. */
  private readonly lastFired = new Map<string, number>();
  /** `${rule}|${alertId}`: one command per rule and alert episode. */
  private readonly firedFor = new Set<string>();

  constructor(
    private readonly cfg: AlertsConfig['localActions'],
    private readonly site: string,
    private readonly publishLocal: PublishLocal | undefined,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    if (cfg.enabled && cfg.rules.length > 0 && !publishLocal) {
      log.warn('alerts.localActions is enabled but no local publisher was given: actions are off');
    }
  }

  /** Called for every transition on the hot path; never throws. */
  onTransition(t: Transition): void {
    if (!this.cfg.enabled || !this.publishLocal || t.state === 'resolved') return;
    this.cfg.rules.forEach((rule, i) => this.maybeFire(i, rule, t));
  }

  private maybeFire(i: number, rule: LocalActionRule, t: Transition): void {
    if (severityRank(t.severity as Severity) < severityRank(rule.minSeverity)) return;
    if (rule.assets.length > 0 && !rule.assets.includes(t.asset)) return;
    const episodeKey = `${i}|${t.alertId}`;
    if (this.firedFor.has(episodeKey)) return;
    this.firedFor.add(episodeKey);
    const key = `${i}|${t.asset}`;
    const now = this.now();
    const last = this.lastFired.get(key);
    if (last !== undefined && now - last < rule.minIntervalS * 1000) {
      this.stats.rateLimited++;
      this.log.warn({ asset: t.asset, rule: i, alertId: t.alertId }, 'local action rate-limited');
      return;
    }
    this.lastFired.set(key, now);
    const v = { asset: t.asset, site: this.site, severity: t.severity, alertId: t.alertId, pattern: t.diagnosis.pattern };
    try {
      this.publishLocal?.(fill(rule.topic, v), Buffer.from(fill(rule.payload, v)), { qos: rule.qos });
      this.stats.fired++;
    } catch (err) {
      this.stats.failed++;
      this.log.error({ err, asset: t.asset, rule: i }, 'local action publish failed');
    }
    if (this.firedFor.size > 10_000) this.firedFor.clear(); // bound memory; the rate limit still holds
  }
}
