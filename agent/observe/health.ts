/**
 * Component health: one state per component (`ok | degraded | down`), with
 * a stable reason code and the time it started. Components report into the
 * registry; /healthz, /metrics, the upstream status, the systemd STATUS= line
 * and the Node-RED config node all read the same snapshot, so they cannot
 * disagree. A change is logged once (not once per retry).
 *
 * A component may have several conditions (the uplink: its connection and
 * its audit log); its state is the worst of them, its reason the worst one's.
 * Reasons and what to do about each are listed in health-reasons.ts and
 * docs/operations.md.
 */
import type { Logger } from 'pino';
import { COMPONENTS, type ComponentName, type HealthReason } from './health-reasons.js';

export { COMPONENTS, type ComponentName, type HealthReason } from './health-reasons.js';

export type HealthState = 'ok' | 'degraded' | 'down';

/** Numeric form for Prometheus: 0 ok, 1 degraded, 2 down. */
export const STATE_VALUE: Record<HealthState, number> = { ok: 0, degraded: 1, down: 2 };

/** One component as every consumer sees it. */
export interface ComponentHealth {
  state: HealthState;
  /** Stable code (`ok` when healthy); see docs/operations.md. */
  reason: HealthReason;
  /** One human line: what is wrong, with the figure or the file. Never a secret. */
  message: string;
  /** ISO time the component entered this state and reason. */
  since: string;
}

/** The whole agent's health: the JSON of /healthz (with the agent's counters added). */
export interface HealthSnapshot {
  /** The worst component state. */
  status: HealthState;
  /** Names of the degraded and down components (empty when all are ok). */
  degraded: ComponentName[];
  down: ComponentName[];
  components: Partial<Record<ComponentName, ComponentHealth>>;
}

interface Condition {
  state: HealthState;
  reason: HealthReason;
  message: string;
  /** Pending escalation to down (a degraded condition that lasts). */
  timer: NodeJS.Timeout | undefined;
}

interface Component {
  conditions: Map<string, Condition>;
  shown: ComponentHealth;
  /** The last message given with an ok report: shown while no condition is set. */
  okMessage: string;
}

export type HealthListener = (name: ComponentName, now: ComponentHealth, before: ComponentHealth | undefined) => void;

const RANK: Record<HealthState, number> = { ok: 0, degraded: 1, down: 2 };

/** A condition that lasts escalates: `degraded` now, `down` with `reason` after `afterMs` unless it changed meanwhile. */
export interface Escalation {
  afterMs: number;
  reason: HealthReason;
  message: string;
}

export class HealthRegistry {
  private readonly comps = new Map<ComponentName, Component>();
  private readonly listeners: HealthListener[] = [];
  private readonly probes: Array<() => void> = [];
  private tick: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Makes a component present (state ok) so that it shows before its first report. Idempotent. */
  register(name: ComponentName, message = 'ok'): void {
    if (this.comps.has(name)) return;
    this.comps.set(name, { conditions: new Map(), shown: { state: 'ok', reason: 'ok', message, since: this.iso() }, okMessage: message });
  }

  /**
   * Sets one condition of a component. The component's state becomes the
   * worst of its conditions; listeners and the log hear of it only when the
   * state or reason changes. With `escalate`, a degraded condition becomes
   * down after `afterMs` if nothing changed it in between.
   */
  set(name: ComponentName, condition: string, state: HealthState, reason: HealthReason, message: string, escalate?: Escalation): void {
    this.register(name);
    const comp = this.comps.get(name)!;
    const cur = comp.conditions.get(condition);
    if (cur && cur.state === state && cur.reason === reason) {
      // Same condition again (a retry): keep its timer and its since; only the text may refresh.
      cur.message = message;
      if (comp.shown.reason === reason) comp.shown.message = message;
      return;
    }
    if (cur?.timer) clearTimeout(cur.timer);
    const next: Condition = { state, reason, message, timer: undefined };
    // After stop() states still change (shutdown reports), but nothing is scheduled to outlive the agent.
    if (escalate && state === 'degraded' && !this.stopped) {
      next.timer = setTimeout(() => {
        next.timer = undefined;
        if (comp.conditions.get(condition) === next) this.set(name, condition, 'down', escalate.reason, escalate.message);
      }, escalate.afterMs);
      next.timer.unref();
    }
    if (state === 'ok') {
      comp.conditions.delete(condition);
      comp.okMessage = message;
    } else comp.conditions.set(condition, next);
    this.recompute(name, comp);
  }

  /** Clears one condition (shorthand for set(..., 'ok')). */
  clear(name: ComponentName, condition: string, message = 'ok'): void {
    this.set(name, condition, 'ok', 'ok', message);
  }

  /** The component's current health, if it is registered. */
  get(name: ComponentName): ComponentHealth | undefined {
    const c = this.comps.get(name);
    return c ? { ...c.shown } : undefined;
  }

  /** True when the component has this condition with this reason right now. */
  has(name: ComponentName, reason: HealthReason): boolean {
    for (const c of this.comps.get(name)?.conditions.values() ?? []) if (c.reason === reason) return true;
    return false;
  }

  snapshot(): HealthSnapshot {
    const components: Partial<Record<ComponentName, ComponentHealth>> = {};
    const degraded: ComponentName[] = [];
    const down: ComponentName[] = [];
    let status: HealthState = 'ok';
    // Report in the documented order, not registration order, so outputs are stable.
    for (const name of COMPONENTS) {
      const c = this.comps.get(name);
      if (!c) continue;
      components[name] = { ...c.shown };
      if (c.shown.state === 'degraded') degraded.push(name);
      if (c.shown.state === 'down') down.push(name);
      if (RANK[c.shown.state] > RANK[status]) status = c.shown.state;
    }
    return { status, degraded, down, components };
  }

  /** Called on every change of a component's state or reason (after the change is logged). */
  onChange(fn: HealthListener): () => void {
    this.listeners.push(fn);
    return () => {
      const i = this.listeners.indexOf(fn);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** A check that runs every tick (outbox fill, hot-path progress): it calls set() itself. */
  addProbe(fn: () => void): void {
    this.probes.push(fn);
  }

  /** Runs the probes every `intervalMs` (and once now). */
  start(intervalMs: number): void {
    if (this.tick) return;
    this.runProbes();
    this.tick = setInterval(() => this.runProbes(), intervalMs);
    this.tick.unref();
  }

  /** Stops the probe timer and every pending escalation. */
  stop(): void {
    this.stopped = true;
    if (this.tick) clearInterval(this.tick);
    this.tick = undefined;
    for (const c of this.comps.values()) for (const cond of c.conditions.values()) if (cond.timer) clearTimeout(cond.timer);
  }

  private runProbes(): void {
    for (const p of this.probes) {
      try {
        p();
      } catch (err) {
        // A broken probe must not stop the others; it is a bug worth a line, not a crash.
        this.log.error({ err }, 'health probe failed');
      }
    }
  }

  private recompute(name: ComponentName, comp: Component): void {
    let worst: Condition | undefined;
    for (const c of comp.conditions.values()) if (!worst || RANK[c.state] > RANK[worst.state]) worst = c;
    const state = worst?.state ?? 'ok';
    const reason = worst?.reason ?? 'ok';
    const message = worst?.message ?? comp.okMessage;
    const before = comp.shown;
    if (before.state === state && before.reason === reason) {
      before.message = message;
      return;
    }
    comp.shown = { state, reason, message, since: this.iso() };
    const lasted = Math.round((this.now() - Date.parse(before.since)) / 100) / 10;
    const line = { component: name, state, reason, was: before.state, wasReason: before.reason, afterS: lasted };
    // One line per change: ok → info, degraded → warn, down → error.
    if (state === 'ok') this.log.info(line, `${name} ok again`);
    else if (state === 'degraded') this.log.warn(line, `${name} degraded: ${message}`);
    else this.log.error(line, `${name} down: ${message}`);
    for (const fn of this.listeners) {
      try {
        fn(name, { ...comp.shown }, before);
      } catch (err) {
        this.log.error({ err, component: name }, 'health listener failed');
      }
    }
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }
}

/** `STATUS=` text for systemd: "ok", or the worst components with their reasons. */
export function statusLine(s: HealthSnapshot): string {
  if (s.status === 'ok') return 'ok: all components healthy';
  const parts = [...s.down, ...s.degraded].map((n) => `${n} ${s.components[n]!.state} (${s.components[n]!.reason})`);
  return `${s.status}: ${parts.join(', ')}`;
}
