import type { HealthReason } from './health-reasons.js';
import type { HealthRegistry } from './health.js';
import { isRefusal } from '../ingest/reconnect.js';
import { errMessage } from '../errors.js';

/** The reasons one connection reports (plant or uplink). */
interface Reasons {
  reconnecting: HealthReason;
  unreachable: HealthReason;
  refused: HealthReason;
}

const REASONS: Record<'plant' | 'uplink', Reasons> = {
  plant: { reconnecting: 'plant_reconnecting', unreachable: 'plant_unreachable', refused: 'plant_refused' },
  uplink: { reconnecting: 'uplink_reconnecting', unreachable: 'uplink_unreachable', refused: 'uplink_refused' },
};

/**
 * Turns an MQTT connection's events into its component's health: lost →
 * degraded (reconnecting), still lost after `downAfterMs` → down
 * (unreachable), refused (credentials, TLS) → down at once. Repeated errors
 * during one outage only refresh the message and a count: the registry logs
 * the change once, and the recovery line says how many attempts failed.
 */
export class ConnectionHealth {
  private failures = 0;
  private lastError = '';
  private up = false;

  constructor(
    private readonly registry: HealthRegistry,
    private readonly component: 'plant' | 'uplink',
    /** What is connected to, for messages (a URL without credentials). */
    private readonly target: string,
    private readonly downAfterMs: number,
  ) {
    registry.set(component, 'connection', 'degraded', REASONS[component].reconnecting, `connecting to ${target}`, this.escalation());
  }

  connected(): void {
    this.up = true;
    const detail = this.failures > 0 ? ` after ${this.failures} failed attempts (last error: ${this.lastError})` : '';
    this.failures = 0;
    this.registry.clear(this.component, 'connection', `connected to ${this.target}${detail}`);
  }

  lost(): void {
    if (!this.up) return;
    this.up = false;
    this.registry.set(
      this.component,
      'connection',
      'degraded',
      REASONS[this.component].reconnecting,
      `connection to ${this.target} lost; reconnecting`,
      this.escalation(),
    );
  }

  error(err: Error): void {
    this.failures++;
    this.lastError = errMessage(err);
    const r = REASONS[this.component];
    if (isRefusal(err)) {
      this.registry.set(this.component, 'connection', 'down', r.refused, `${this.target} refused the connection: ${this.lastError}`);
      return;
    }
    const cur = this.registry.get(this.component);
    const reason = cur?.reason === r.unreachable ? r.unreachable : r.reconnecting;
    const state = reason === r.unreachable ? 'down' : 'degraded';
    this.registry.set(
      this.component,
      'connection',
      state,
      reason,
      `${this.target}: ${this.lastError} (${this.failures} failed attempts)`,
      this.escalation(),
    );
  }

  private escalation() {
    return {
      afterMs: this.downAfterMs,
      reason: REASONS[this.component].unreachable,
      message: `no connection to ${this.target} for ${Math.round(this.downAfterMs / 1000)} s`,
    };
  }
}
