import type { Logger } from 'pino';
import type { Alert } from './alerts/schema.js';
import type { DigestMessage } from './explain/digest.js';
import type { Decision, Sample } from './types.js';

/**
 * The typed map from event name to payload. Stages publish here; later stages
 * (alerts, history, node adapters) subscribe without the producer knowing them.
 * Add an event by adding a key.
 */
export interface EventMap {
  /** Every aligned decision, learning and detecting (hot path: listeners must be cheap and synchronous). */
  decision: Decision;
  /** A raw sample accepted by the window stage (for local history only; never egress). */
  sample: Sample;
  /** An asset switched phase. */
  phase: { asset: string; phase: 'learning' | 'detecting'; samples: number };
  /** Agent-health problem, e.g. persistent deadline misses. */
  health: { kind: string; asset?: string; message: string; ok: boolean };
  /** Assets whose source died (a Sparkplug node or device death): their open alerts resolve (or are flagged) as stale. */
  stale: { assets: string[]; reason: 'node_death'; lastSeen: number };
  /** An asset went silent (no sample past its staleness bound) or started reporting again. */
  asset: { asset: string; state: 'silent' | 'resumed'; lastSeen: number; silentMs: number };
  /** An alert lifecycle transition, with the v1 payload as it is queued for upstream. */
  alert: { state: 'open' | 'update' | 'resolved'; asset: string; payload: Alert };
  /** An alert-storm digest: one sentence over the alerts opened within explain.digest.windowS. */
  digest: DigestMessage;
}

type Listener<T> = (payload: T) => void;

/**
 * One bus, every listener isolated: a throwing subscriber is logged and counted,
 * and the others still run (the hot path never throws because of a listener).
 */
export class EventBus {
  private readonly listeners = new Map<keyof EventMap, Array<Listener<never>>>();
  listenerErrors = 0;

  constructor(private readonly log: Logger) {}

  on<K extends keyof EventMap>(event: K, fn: Listener<EventMap[K]>): () => void {
    const list = this.listeners.get(event) ?? [];
    list.push(fn as Listener<never>);
    this.listeners.set(event, list);
    return () => {
      const cur = this.listeners.get(event);
      if (cur)
        this.listeners.set(
          event,
          cur.filter((l) => l !== fn),
        );
    };
  }

  emit<K extends keyof EventMap>(event: K, payload: EventMap[K]): void {
    const list = this.listeners.get(event);
    if (!list) return;
    for (const fn of list) {
      try {
        (fn as Listener<EventMap[K]>)(payload);
      } catch (err) {
        this.listenerErrors++;
        this.log.error({ err, event }, 'event listener failed');
      }
    }
  }

  has(event: keyof EventMap): boolean {
    return (this.listeners.get(event)?.length ?? 0) > 0;
  }

  removeAll(): void {
    this.listeners.clear();
  }
}
