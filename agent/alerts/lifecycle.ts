/**
 * The per-asset alert state machine: idle → (N anomalous scans) → open →
 * update* → (M normal scans below the deadband) → resolved → cooldown → idle.
 * Every decision is one asset scan, so the streaks count scans and a 1 kHz
 * asset behaves like a 1 Hz one. A cooldown holds back re-opens of the same
 * or lower severity only: a worse fault opens at once (issue #12).
 * Pure and synchronous: it only touches memory. Persistence is the caller's
 * job (snapshot()/restore(), dirty tracking for batched writes).
 */
import { randomUUID } from 'node:crypto';
import type { AlertsConfig } from '../config/sections/alerts.js';
import type { Decision, Diagnosis, Severity, SignalEvidence, StaleInfo } from '../types.js';
import { materiallyChanged, maxSeverity, peakZ, severityOf, severityRank } from './severity.js';

/** An open alert episode. */
export interface Episode {
  alertId: string;
  /** seq of the last transition emitted (0 = the open). */
  seq: number;
  firstSeen: number;
  lastSeen: number;
  /** Peak severity, score and its threshold over the episode. */
  severity: Severity;
  score: number;
  threshold: number;
  evidence: SignalEvidence[];
  diagnosis: Diagnosis;
  /** What was last sent, to judge material change and rate-limit updates. */
  sent: { severity: Severity; pattern: string; signals: string[]; peakZ: number; at: number };
}

/** Everything the lifecycle remembers about one asset; JSON-serialisable. */
export interface AssetAlertState {
  asset: string;
  anomStreak: number;
  normStreak: number;
  streakStart: number;
  cooldownUntil: number;
  /** Peak severity of the episode whose resolution started the cooldown (absent in states saved before it existed). */
  cooldownSeverity?: Severity;
  open: Episode | null;
}

/** One lifecycle transition: becomes one alert message (the episode as it stands, minus what was last sent). */
export type Transition = Omit<Episode, 'sent'> & { state: 'open' | 'update' | 'resolved'; asset: string; stale?: StaleInfo };

export interface LifecycleCounters {
  opened: number;
  updated: number;
  resolved: number;
  /** Opens suppressed because the asset was in its cooldown (at the same or a lower severity). */
  suppressedCooldown: number;
  /** Material changes not sent because of the update rate limit. */
  suppressedRate: number;
}

const NO_DIAGNOSIS: Diagnosis = { pattern: 'unknown', signals: [], confidence: 0 };

export class AlertLifecycle {
  private readonly assets = new Map<string, AssetAlertState>();
  private readonly dirty = new Set<string>();
  readonly counters: LifecycleCounters = { opened: 0, updated: 0, resolved: 0, suppressedCooldown: 0, suppressedRate: 0 };

  constructor(
    private readonly cfg: AlertsConfig,
    private readonly now: () => number = Date.now,
    private readonly newId: () => string = randomUUID,
  ) {}

  /** Feed one decision; returns the transition it caused, if any. Never throws on well-typed input. */
  step(d: Decision): Transition | null {
    if (d.phase !== 'detecting') return null;
    const st = this.stateOf(d.asset);
    this.dirty.add(d.asset);
    return d.anomalous ? this.onAnomalous(st, d) : this.onNormal(st, d);
  }

  private onAnomalous(st: AssetAlertState, d: Decision): Transition | null {
    st.normStreak = 0;
    if (++st.anomStreak === 1) st.streakStart = d.ts;
    const sev = severityOf(d, this.cfg.severity);
    const ep = st.open;
    if (!ep) {
      if (st.anomStreak < this.cfg.openAfter) return null;
      // De-dup after a resolution: the same fault flapping back is not a new alert yet. A worse one is:
      // an info false alarm must not hold back a critical fault for the rest of its cooldown. (A state
      // saved before the resolved severity was kept suppresses only info, erring toward alerting.)
      if (this.now() < st.cooldownUntil && severityRank(sev) <= severityRank(st.cooldownSeverity ?? 'info')) {
        this.counters.suppressedCooldown++;
        return null;
      }
      const diagnosis = d.diagnosis ?? NO_DIAGNOSIS;
      const evidence = d.evidence ?? [];
      st.open = {
        alertId: this.newId(),
        seq: 0,
        firstSeen: st.streakStart,
        lastSeen: d.ts,
        severity: sev,
        score: d.score,
        threshold: d.threshold,
        evidence,
        diagnosis,
        sent: { severity: sev, pattern: diagnosis.pattern, signals: diagnosis.signals, peakZ: peakZ(evidence), at: this.now() },
      };
      this.counters.opened++;
      return this.transition('open', st.asset, st.open);
    }
    ep.lastSeen = d.ts;
    if (d.evidence) ep.evidence = d.evidence;
    if (d.diagnosis) ep.diagnosis = d.diagnosis;
    if (d.score >= ep.score) {
      ep.score = d.score;
      ep.threshold = d.threshold;
    }
    ep.severity = maxSeverity(ep.severity, sev);
    const escalated = severityRank(ep.severity) > severityRank(ep.sent.severity);
    const cur = { pattern: ep.diagnosis.pattern, signals: ep.diagnosis.signals, peakZ: peakZ(ep.evidence) };
    const changed = escalated || materiallyChanged(ep.sent, cur, this.cfg.update.zChange);
    if (!changed) return null;
    if (!escalated && this.now() - ep.sent.at < this.cfg.update.minIntervalS * 1000) {
      this.counters.suppressedRate++;
      return null;
    }
    ep.seq++;
    ep.sent = { severity: ep.severity, ...cur, at: this.now() };
    this.counters.updated++;
    return this.transition('update', st.asset, ep);
  }

  private onNormal(st: AssetAlertState, d: Decision): Transition | null {
    st.anomStreak = 0;
    const ep = st.open;
    if (!ep) return null;
    // Deadband: only a score clearly below the threshold counts toward resolution.
    if (d.score >= d.threshold * this.cfg.deadband) st.normStreak = 0;
    else st.normStreak++;
    if (st.normStreak < this.cfg.resolveAfter) return null;
    ep.seq++;
    if (d.evidence) ep.evidence = d.evidence;
    const t = this.transition('resolved', st.asset, ep);
    st.open = null;
    st.normStreak = 0;
    st.cooldownUntil = this.now() + this.cfg.cooldownS * 1000;
    st.cooldownSeverity = ep.severity;
    this.counters.resolved++;
    return t;
  }

  private transition(state: Transition['state'], asset: string, ep: Episode): Transition {
    return {
      state,
      asset,
      alertId: ep.alertId,
      seq: ep.seq,
      firstSeen: ep.firstSeen,
      lastSeen: ep.lastSeen,
      severity: ep.severity,
      score: ep.score,
      threshold: ep.threshold,
      evidence: ep.evidence,
      diagnosis: ep.diagnosis,
    };
  }

  private stateOf(asset: string): AssetAlertState {
    let st = this.assets.get(asset);
    if (!st) {
      st = { asset, anomStreak: 0, normStreak: 0, streakStart: 0, cooldownUntil: 0, open: null };
      this.assets.set(asset, st);
    }
    return st;
  }

  /**
   * The asset stopped reporting (silent past its staleness bound, or its
   * Sparkplug node died): its open alert is closed as stale (`resolve`) or
   * flagged stale and kept open (`flag`). No cooldown follows a stale close
   * (the fault may still be there when data returns) and the streaks reset.
   * Returns the transition, or null when the asset has no open alert.
   */
  stale(asset: string, info: StaleInfo, mode: 'resolve' | 'flag'): Transition | null {
    const st = this.assets.get(asset);
    const ep = st?.open;
    if (!st || !ep) return null;
    ep.seq++;
    st.anomStreak = 0;
    st.normStreak = 0;
    this.dirty.add(asset);
    const t = { ...this.transition(mode === 'resolve' ? 'resolved' : 'update', asset, ep), stale: info };
    if (mode === 'resolve') {
      st.open = null;
      this.counters.resolved++;
    } else {
      ep.sent = { ...ep.sent, at: this.now() };
      this.counters.updated++;
    }
    return t;
  }

  /** Assets the lifecycle knows (restored or seen), for the silence watch after a restart. */
  knownAssets(): string[] {
    return [...this.assets.keys()];
  }

  /** Whether the asset has an open alert. */
  isOpen(asset: string): boolean {
    return Boolean(this.assets.get(asset)?.open);
  }

  /** A deep copy of one asset's state (for persistence). */
  snapshotOf(asset: string): AssetAlertState | undefined {
    const st = this.assets.get(asset);
    return st ? (structuredClone(st) as AssetAlertState) : undefined;
  }

  /** Marks an asset's state as not yet persisted (again, after a failed write). */
  markDirty(asset: string): void {
    this.dirty.add(asset);
  }

  /** Assets changed since the last call, clearing the set. */
  takeDirty(): string[] {
    const out = [...this.dirty];
    this.dirty.clear();
    return out;
  }

  /** Restore persisted states (at start-up, before any decision). */
  restore(states: Iterable<AssetAlertState>): void {
    for (const s of states) this.assets.set(s.asset, s);
  }

  /** Assets with an open alert. */
  openCount(): number {
    let n = 0;
    for (const s of this.assets.values()) if (s.open) n++;
    return n;
  }
}
