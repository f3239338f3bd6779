/**
 * The alert manager: subscribes to every `decision`, runs the per-asset
 * lifecycle in memory (cheap, synchronous — hot path), and queues the rest:
 * one batched transaction of the state store per event-loop turn commits the
 * outbox row and the lifecycle state together, then the summary is awaited
 * (never longer than the budget), the row is released for delivery and
 * `alert` is emitted. The store (persist/) owns the database; alerting only
 * writes through it and knows nothing of the uplink.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { errMessage } from '../errors.js';
import type { EventBus } from '../events.js';
import { TEMPLATE_MODEL } from '../explain/explainer.js';
import { templateSummary } from '../explain/template.js';
import type { Outbox } from '../persist/outbox.js';
import type { StateStore } from '../persist/store.js';
import type { Decision, StaleInfo } from '../types.js';
import { AlertLifecycle, type AssetAlertState, type Transition } from './lifecycle.js';
import { LocalActions, type PublishLocal } from './local-actions.js';
import { buildFacts, buildStoredAlert, type Summary, type SummaryExplainer } from './payload.js';
import { alertSchema, type Alert, type StoredAlert } from './schema.js';
import { silenceCheckMs, watchSilence, type SilenceWatch } from './silence.js';

/** The state store as alerting uses it: v1 alerts in the outbox, lifecycle states per asset. */
export type AlertStore = StateStore<StoredAlert, AssetAlertState>;

/** What the controller hands to createAlerting(). */
export interface AlertingDeps {
  log: Logger;
  bus: EventBus;
  explainer: SummaryExplainer;
  /** The persistence owner (persist/store.ts), started before and stopped after the manager. */
  store: AlertStore;
  /** The manager starts and stops the store itself (standalone use: no other service shares it). */
  ownStore?: boolean;
  agentId: string;
  version: string;
  /** Publish on the plant broker, for local actions (optional). */
  publishLocal?: PublishLocal;
  /** Injected clock and id source (tests). */
  now?: () => number;
  newId?: () => string;
}

interface Pending {
  t: Transition;
  stored: StoredAlert;
}

export interface AlertingStats {
  open: number;
  opened: number;
  updated: number;
  resolved: number;
  suppressedCooldown: number;
  suppressedRate: number;
  /** Transitions waiting for their commit or summary. */
  pending: number;
  summaries: { lm: number; template: number; timeouts: number };
  invalid: number;
  persistErrors: number;
  /** Assets silent right now (no sample past their staleness bound). */
  silent: string[];
  localActions: LocalActions['stats'];
}

export class AlertManager {
  private readonly log: Logger;
  private readonly lifecycle: AlertLifecycle;
  private readonly actions: LocalActions;
  private readonly silence: SilenceWatch;
  private readonly now: () => number;
  readonly store: AlertStore;
  private started = false;
  private unsubscribe: (() => void) | null = null;
  private pending: Pending[] = [];
  private flushScheduled = false;
  private readonly summarizing = new Set<Promise<void>>();
  private persistTimer: NodeJS.Timeout | null = null;
  private readonly c = { invalid: 0, persistErrors: 0, lm: 0, template: 0, timeouts: 0 };

  constructor(
    private readonly cfg: Config,
    private readonly deps: AlertingDeps,
  ) {
    this.log = deps.log.child({ module: 'alerts' });
    this.now = deps.now ?? Date.now;
    this.lifecycle = new AlertLifecycle(cfg.alerts, this.now, deps.newId);
    this.actions = new LocalActions(cfg.alerts.localActions, cfg.agent.site, deps.publishLocal, this.log, this.now);
    this.store = deps.store;
    this.silence = watchSilence(cfg, {
      bus: deps.bus,
      log: this.log,
      now: this.now,
      isOpen: (a) => this.lifecycle.isOpen(a),
      resolveStale: (a, info) => this.resolveStale(a, info),
    });
  }

  /** The store's outbox (alerts are queued there when the store has one enabled). */
  get outbox(): Outbox<StoredAlert> {
    return this.store.outbox;
  }

  async start(): Promise<void> {
    if (this.deps.ownStore) this.store.start();
    const restored = this.store.states.load();
    this.lifecycle.restore(restored);
    // Assets known before a restart are watched from now: one that never reports again still goes silent.
    this.silence.seed(this.lifecycle.knownAssets());
    this.silence.start(silenceCheckMs(this.cfg));
    this.log.info(
      { assets: restored.length, open: this.lifecycle.openCount(), queued: this.outbox.stats().queued },
      'alert state restored',
    );
    this.unsubscribe = this.deps.bus.on('decision', (d) => this.onDecision(d));
    this.persistTimer = setInterval(() => this.persistDirty(), this.cfg.alerts.persistIntervalMs);
    this.persistTimer.unref();
    this.started = true;
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.silence.stop();
    if (this.persistTimer) clearInterval(this.persistTimer);
    this.persistTimer = null;
    await this.flush();
    this.persistDirty();
    this.started = false;
    if (this.deps.ownStore) this.store.stop();
  }

  /** Commit whatever is queued and wait for the summaries in flight (bounded by the budget). */
  async flush(): Promise<void> {
    this.commitPending();
    await Promise.allSettled([...this.summarizing]);
  }

  /** Hot path: memory only, never throws, never awaits. */
  private onDecision(d: Decision): void {
    this.silence.seen(d.asset);
    const t = this.lifecycle.step(d);
    if (t) this.queue(t);
  }

  /**
   * Closes (or, with alerts.onSilence 'flag', flags) the asset's open alert as
   * stale: the asset stopped reporting, so nobody knows whether the fault is
   * still there. Used for silent assets here and for Sparkplug node and device
   * deaths by the ingest side. Returns false when the asset has no open alert.
   */
  resolveStale(asset: string, info: StaleInfo, mode: 'resolve' | 'flag' = this.cfg.alerts.onSilence): boolean {
    const t = this.lifecycle.stale(asset, info, mode);
    if (t) this.queue(t);
    return t !== null;
  }

  private queue(t: Transition): void {
    this.actions.onTransition(t);
    const facts = buildFacts(t, this.cfg);
    const summary: Summary = { text: templateSummary(facts), source: 'template', model: TEMPLATE_MODEL };
    this.pending.push({ t, stored: buildStoredAlert(t, summary, this.cfg, this.origin()) });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.commitPending());
    }
  }

  private origin(): { site: string; agentId: string; agentVersion: string } {
    return { site: this.cfg.agent.site, agentId: this.deps.agentId, agentVersion: this.deps.version };
  }

  /**
   * One transaction for the batch: outbox rows (held until their summary) and
   * the lifecycle state. The row stores the template summary, so if we are
   * killed while waiting for the model, the restart sends the alert with it.
   */
  private commitPending(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0 || !this.started) return;
    const batch = this.pending.splice(0);
    const valid = batch.filter((p) => this.isValid(p.stored));
    let seqs: Array<number | null> = [];
    const queue = this.store.outboxEnabled;
    // Taken outside the transaction: if the store moves to memory and runs it again, the same states are saved.
    const dirty = this.lifecycle.takeDirty();
    try {
      this.store.transaction(() => {
        seqs = valid.map((p) => (queue ? this.outbox.enqueue(p.stored, { ready: false }) : null));
        this.saveStates(dirty);
      });
    } catch (err) {
      // Not a storage fault (those move the store to memory): keep them and retry rather than lose a decided alert.
      this.c.persistErrors++;
      this.log.error({ err: errMessage(err), alerts: valid.length }, 'cannot commit alerts; will retry');
      this.pending.unshift(...valid);
      for (const a of dirty) this.lifecycle.markDirty(a);
      setTimeout(() => this.commitPending(), 1000).unref();
      return;
    }
    for (const p of valid)
      this.log.info({ id: p.stored.id, asset: p.stored.asset, state: p.stored.state, severity: p.stored.severity }, 'alert committed');
    valid.forEach((p, i) => this.track(this.summarize(p, seqs[i] ?? null)));
  }

  private track(p: Promise<void>): void {
    this.summarizing.add(p);
    void p.finally(() => this.summarizing.delete(p));
  }

  private isValid(stored: StoredAlert): boolean {
    const r = alertSchema.safeParse({ ...stored, sent: new Date(this.now()).toISOString(), replayed: false });
    if (r.success) return true;
    this.c.invalid++;
    this.log.error({ id: stored.id, issues: r.error.issues.slice(0, 3) }, 'alert failed its schema; not sent');
    return false;
  }

  /** Wait for the explainer at most the budget, then release the row and tell local listeners. */
  private async summarize(p: Pending, seq: number | null): Promise<void> {
    const facts = buildFacts(p.t, this.cfg);
    const budget = this.cfg.explain.budgetMs;
    let timer: NodeJS.Timeout | undefined;
    // The explainer promises to resolve within the budget; this timer is the belt to its braces.
    const late = new Promise<Summary | null>((resolve) => {
      timer = setTimeout(() => resolve(null), budget + 50);
    });
    // A stale close has no fault evidence to explain: the template says what is known (the asset went silent).
    const asked = p.t.stale
      ? Promise.resolve(p.stored.summary)
      : this.deps.explainer.explain(facts, budget).catch((err: unknown) => {
          this.log.warn({ err: errMessage(err), id: p.stored.id }, 'explainer failed; template summary used');
          return null;
        });
    const got = await Promise.race([asked, late]);
    clearTimeout(timer);
    if (got === null) this.c.timeouts++;
    const summary = got ?? p.stored.summary;
    if (summary.source === 'lm') this.c.lm++;
    else this.c.template++;
    const stored: StoredAlert = {
      ...p.stored,
      summary: {
        text: summary.text.slice(0, 2000),
        source: summary.source,
        model: summary.model.slice(0, 128),
        ...(summary.check ? { check: { text: summary.check.text.slice(0, 500), items: summary.check.items.slice(0, 3) } } : {}),
      },
    };
    if (seq !== null && this.outbox.isOpen()) {
      try {
        this.outbox.finalize(seq, stored);
      } catch (err) {
        // The row keeps its template summary and is released at the next start.
        this.c.persistErrors++;
        this.log.error({ err: errMessage(err), id: stored.id }, 'cannot release alert to the outbox');
      }
    }
    const payload: Alert = {
      ...stored,
      sent: new Date(this.now()).toISOString(),
      replayed: false,
      ...(this.store.volatile ? { volatile: true as const } : {}),
    };
    this.deps.bus.emit('alert', { state: stored.state, asset: stored.asset, payload });
  }

  private persistDirty(): void {
    if (!this.started) return;
    const dirty = this.lifecycle.takeDirty();
    if (dirty.length === 0) return;
    try {
      this.store.transaction(() => this.saveStates(dirty));
    } catch (err) {
      this.c.persistErrors++;
      for (const a of dirty) this.lifecycle.markDirty(a);
      this.log.error({ err: errMessage(err) }, 'cannot persist alert state');
    }
  }

  private saveStates(assets: string[]): void {
    const snaps: AssetAlertState[] = [];
    for (const a of assets) {
      const s = this.lifecycle.snapshotOf(a);
      if (s) snaps.push(s);
    }
    this.store.states.save(snaps);
  }

  stats(): AlertingStats {
    return {
      open: this.lifecycle.openCount(),
      ...this.lifecycle.counters,
      pending: this.pending.length + this.summarizing.size,
      summaries: { lm: this.c.lm, template: this.c.template, timeouts: this.c.timeouts },
      invalid: this.c.invalid,
      persistErrors: this.c.persistErrors,
      silent: this.silence.silentAssets(),
      localActions: { ...this.actions.stats },
    };
  }
}
