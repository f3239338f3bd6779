import type { MqttClient } from 'mqtt';

/** Exponential reconnect delays with jitter: base·2^n capped at max, each drawn from [½, 1] of that. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt (and counts the attempt). */
  next(): number {
    const cap = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    // "Equal jitter": never less than half the step, so a fleet that lost its broker together does not return together.
    return Math.round(cap / 2 + (this.random() * cap) / 2);
  }

  /** Failed attempts since the last success. */
  get failures(): number {
    return this.attempt;
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** The mqtt.js 5 internals the reconnect schedule replaces (checked at run time, see below). */
interface ReconnectInternals {
  reconnectTimer: NodeJS.Timeout | null;
  disconnecting: boolean;
  _reconnect(): void;
}

/**
 * Makes an mqtt.js client reconnect with exponential backoff and jitter
 * instead of its fixed `reconnectPeriod` (one attempt every period, forever).
 * mqtt.js arms a repeating timer when the connection closes; this replaces
 * it with a one-shot timer of the next backoff delay, so every failed
 * attempt (which closes again) draws a longer delay. Its in-flight QoS 1
 * store is kept (we do not call reconnect(), which would drop it).
 * If a future mqtt.js lacks these fields, the client keeps its own fixed
 * period: `applied` says which one runs (a test checks it).
 */
export function reconnectWithBackoff(client: MqttClient, backoff: Backoff): { applied: boolean } {
  const c = client as unknown as Partial<ReconnectInternals>;
  if (!('reconnectTimer' in c) || typeof c._reconnect !== 'function') return { applied: false };
  const internals = c as ReconnectInternals;
  client.on('connect', () => backoff.reset());
  // mqtt.js's own 'close' listener (registered in its constructor) runs first and arms its timer.
  client.on('close', () => {
    if (internals.disconnecting || !internals.reconnectTimer) return;
    clearInterval(internals.reconnectTimer);
    const t = setTimeout(() => {
      if (internals.reconnectTimer !== t) return;
      internals.reconnectTimer = null;
      internals._reconnect();
    }, backoff.next());
    // mqtt.js clears it with clearInterval on connect/end, which also clears a timeout.
    internals.reconnectTimer = t;
  });
  return { applied: true };
}

/** MQTT CONNACK codes that mean "you are not welcome" (3.1.1: 4, 5; MQTT 5: 0x86, 0x87, 0x8A, 0x8C). */
const REFUSED_CONNACK = new Set([4, 5, 0x86, 0x87, 0x8a, 0x8c]);

/**
 * Whether a connection error is a refusal (credentials, authorisation, TLS
 * certificate) rather than a network problem: retrying will not fix a
 * refusal, so it is reported as down at once.
 */
export function isRefusal(err: Error & { code?: unknown }): boolean {
  if (typeof err.code === 'number') return REFUSED_CONNACK.has(err.code);
  const code = typeof err.code === 'string' ? err.code : '';
  return /^ERR_SSL_|^ERR_TLS_|CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code);
}
