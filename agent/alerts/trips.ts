/**
 * Local actions as trips (issue #12): a command on the *plant* broker when an
 * asset's scans stay at or above a trip level for N scans in a row. It runs
 * on the hot path, on the decision itself, before the decision's latency is
 * taken: the command is handed to the broker within the deadline of the scan
 * that completes the trip. Alert hysteresis and cooldowns never see it (a
 * safe-stop that waits for an alert is no fail-safe override). Like the alert
 * rules (local-actions.ts) it only ever gets a local publisher: no path upstream.
 */
import type { Logger } from 'pino';
import type { AlertsConfig, TripRule } from '../config/sections/alerts.js';
import type { AgentStats } from '../observe/stats.js';
import type { Decision } from '../types.js';
import type { PublishLocal } from './local-actions.js';
import { severityOf } from './severity.js';

/** Per asset and rule: scans in a row at/above the level, below it, and whether the trip is armed. */
interface TripState {
  above: Int32Array;
  below: Int32Array;
  armed: Uint8Array;
}

/** What the pipeline calls for every decision (a seam: the hot thread builds its own). */
export interface DecisionHook {
  /** `zMax`: the largest |z| of any signal's value against its learned level. Never throws. */
  onDecision(d: Decision, zMax: number): void;
}

export class TripUnit implements DecisionHook {
  private readonly rules: TripRule[];
  private readonly only: Array<Set<string> | null>;
  private readonly state = new Map<string, TripState>();

  constructor(
    private readonly cfg: AlertsConfig,
    private readonly site: string,
    private readonly publish: PublishLocal,
    private readonly stats: AgentStats,
    private readonly log: Logger,
  ) {
    this.rules = cfg.localActions.enabled ? cfg.localActions.trips : [];
    this.only = this.rules.map((r) => (r.assets.length ? new Set(r.assets) : null));
  }

  /** True when at least one trip is configured (else the pipeline need not call it). */
  get active(): boolean {
    return this.rules.length > 0;
  }

  onDecision(d: Decision, zMax: number): void {
    if (d.phase !== 'detecting' || this.rules.length === 0) return;
    const st = this.stateOf(d.asset);
    const ratio = d.threshold > 0 ? d.score / d.threshold : 0;
    for (let r = 0; r < this.rules.length; r++) {
      const rule = this.rules[r]!;
      if (this.only[r] && !this.only[r]!.has(d.asset)) continue;
      const over = (rule.ratio !== undefined && ratio >= rule.ratio) || (rule.z !== undefined && zMax >= rule.z);
      if (over) {
        st.below[r] = 0;
        if (st.armed[r] === 1 && ++st.above[r]! >= rule.scans) {
          st.armed[r] = 0;
          st.above[r] = 0;
          this.fire(rule, d, ratio, zMax);
        }
      } else {
        st.above[r] = 0;
        // Re-armed by as many scans below the level as it took to trip: a score hovering at the level does not chatter.
        if (st.armed[r] === 0 && ++st.below[r]! >= rule.scans) st.armed[r] = 1;
      }
    }
  }

  private fire(rule: TripRule, d: Decision, ratio: number, zMax: number): void {
    const v: Record<string, string> = {
      asset: d.asset,
      site: this.site,
      severity: severityOf(d, this.cfg.severity),
      pattern: d.diagnosis?.pattern ?? 'unknown',
      ratio: ratio.toFixed(2),
      z: zMax.toFixed(2),
    };
    const fill = (tpl: string): string => tpl.replace(/\{(asset|site|severity|pattern|ratio|z)\}/g, (_m, k: string) => v[k] ?? '');
    try {
      this.publish(fill(rule.topic), Buffer.from(fill(rule.payload)), { qos: rule.qos });
      this.stats.tripsFired++;
    } catch (err) {
      this.stats.tripsFailed++;
      this.log.error({ err, asset: d.asset, topic: rule.topic }, 'trip publish failed');
    }
  }

  private stateOf(asset: string): TripState {
    let st = this.state.get(asset);
    if (!st) {
      const n = this.rules.length;
      st = { above: new Int32Array(n), below: new Int32Array(n), armed: new Uint8Array(n).fill(1) };
      this.state.set(asset, st);
    }
    return st;
  }
}
