/**
 * The upstream publisher: its own MQTT connection (TLS, client cert, user/
 * password), a retained status with birth on connect and death as the MQTT
 * will, periodic health, and the outbox drain — QoS 1, at most one alert in
 * flight per asset so per-asset order holds across reconnects, the row
 * deleted only on PUBACK. In-flight messages at a disconnect are re-sent by
 * mqtt.js from its store on reconnect; rows never sent are sent by us,
 * flagged replayed.
 */
import type { DigestMessage } from '../explain/digest.js';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { StoredAlert } from '../alerts/schema.js';
import type { Config } from '../config/schema.js';
import { errMessage, isEdgeError } from '../errors.js';
import { mqttOptions, redactUrl, setNoDelay } from '../ingest/mqtt-options.js';
import { Backoff, reconnectWithBackoff } from '../ingest/reconnect.js';
import { ConnectionHealth } from '../observe/connection-health.js';
import { COMPONENTS, type HealthRegistry } from '../observe/health.js';
import { RateLimitedLog } from '../observe/ratelimit.js';
import type { ActiveVersions } from '../fleet/result.js';
import { EgressGate } from './egress.js';
import type { OutboxReader, OutboxRow } from '../persist/outbox.js';
import type { Health, Status } from './status.js';

export interface UplinkDeps {
  log: Logger;
  stateDir: string;
  agentId: string;
  version: string;
  /** The state store's outbox: the uplink reads the ready rows and acknowledges each on PUBACK. */
  outbox: OutboxReader<StoredAlert>;
  /** Alert counters for the health status (from alerting, handed over by the composition). */
  alertCounts: () => Health['alerts'];
  /** True while the state store holds everything only in memory: sent alerts then say `volatile`. */
  volatile?: () => boolean;
  /** Agent-wide numeric counters for the health status (names: lower-case, digits, _ .). */
  healthMetrics?: () => Record<string, number>;
  /** Where the uplink reports its connection and audit state, and whose snapshot rides on the status. */
  health: HealthRegistry;
  /** Config and model versions running, for the status (remote management). */
  versions?: () => ActiveVersions;
  /** Assets the agent knows (uplink.format sparkplug: each is born as a device). */
  assets?: () => string[];
}

export interface UplinkStats {
  enabled: boolean;
  connected: boolean;
  connects: number;
  sent: number;
  publishErrors: number;
  egress: EgressGate['counters'];
  auditPath: string | null;
}

export class Uplink {
  private readonly log: Logger;
  private client: MqttClient | null = null;
  private gate: EgressGate | null = null;
  private connected = false;
  private readonly inflight = new Set<string>();
  private healthTimer: NodeJS.Timeout | null = null;
  private readonly startedAt = Date.now();
  private readonly c = { connects: 0, sent: 0, publishErrors: 0 };
  private draining = false;
  private stopping = false;
  private conn: ConnectionHealth | null = null;
  private readonly errLog: RateLimitedLog;
  private offHealth: (() => void) | null = null;
  private statusTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly cfg: Config,
    private readonly deps: UplinkDeps,
  ) {
    this.log = deps.log.child({ module: 'uplink' });
    this.errLog = new RateLimitedLog(cfg.log.rateLimitMs);
  }

  get outbox(): OutboxReader<StoredAlert> {
    return this.deps.outbox;
  }

  async start(): Promise<void> {
    const up = this.cfg.uplink;
    if (!up.enabled || !up.broker) {
      this.log.info('uplink disabled: alerts stay on this device');
      return;
    }
    const broker = up.broker;
    const health = this.deps.health;
    const target = redactUrl(broker.url);
    this.conn = new ConnectionHealth(health, 'uplink', target, this.cfg.observe.health.downAfterS * 1000);
    this.gate = new EgressGate(up, this.cfg.agent.site, this.deps.stateDir, target, this.log, (ok, message) =>
      ok ? health.clear('uplink', 'audit', message) : health.set('uplink', 'audit', 'degraded', 'audit_write_failed', message),
    );
    const opts = mqttOptions(broker, `edge-sentinel-up-${this.deps.agentId}`);
    // MQTT 3.1.1: every upstream broker speaks it (aedes does not speak 5), and we need nothing of 5.
    opts.protocolVersion = 4;
    if (up.egress.allow.includes('status')) {
      // The death message is registered with the broker now and published by it later: audit it now.
      const will = this.gate.approve({ kind: 'status', status: this.status('offline') }, 'will');
      opts.will = { topic: will.topic, payload: will.payload, qos: 1, retain: true };
    }
    const client = mqtt.connect(broker.url, opts);
    reconnectWithBackoff(client, new Backoff(broker.reconnectMs, broker.reconnectMaxMs));
    this.client = client;
    client.on('connect', () => this.onConnect(client));
    client.on('close', () => {
      // The health registry logs the loss once ("uplink degraded"); alerts wait in the outbox.
      this.connected = false;
      this.conn?.lost();
      this.outbox.setOnline(false);
    });
    client.on('error', (err) => {
      this.conn?.error(err);
      this.errLog.maybe(`error:${(err as { code?: unknown }).code ?? err.message}`, (n) =>
        this.log.debug({ err: err.message, suppressed: n }, 'upstream broker error'),
      );
    });
    this.outbox.onReady(() => this.drain());
    if (up.egress.allow.includes('health')) {
      if (up.healthIntervalS > 0) {
        this.healthTimer = setInterval(() => this.publishHealth(), up.healthIntervalS * 1000);
        this.healthTimer.unref();
      }
      // A component change goes upstream at once (at most one status a second), not only at the next interval.
      this.offHealth = health.onChange(() => {
        if (this.statusTimer) return;
        this.statusTimer = setTimeout(() => {
          this.statusTimer = null;
          this.publishHealth();
        }, 1000);
        this.statusTimer.unref();
      });
    }
  }

  private onConnect(client: MqttClient): void {
    if (this.cfg.uplink.broker?.noDelay !== false) setNoDelay(client);
    this.connected = true;
    this.c.connects++;
    this.conn?.connected();
    this.outbox.setOnline(true);
    this.log.info({ queued: this.outbox.stats().queued }, 'upstream connected');
    if (this.cfg.uplink.egress.allow.includes('status')) this.send({ kind: 'status', status: this.status('online') });
    this.drain();
  }

  /** Send the ready head of every asset that has nothing in flight. */
  private drain(): void {
    if (!this.connected || !this.client || !this.gate || this.draining || this.stopping || !this.outbox.isOpen()) return;
    this.draining = true;
    try {
      for (const row of this.outbox.readyHeads()) {
        if (!this.inflight.has(row.asset)) this.sendRow(row);
      }
    } catch (err) {
      this.log.error({ err: errMessage(err) }, 'outbox drain failed');
    } finally {
      this.draining = false;
    }
  }

  private sendRow(row: OutboxRow<StoredAlert>): void {
    const client = this.client;
    const gate = this.gate;
    if (!client || !gate) return;
    this.inflight.add(row.asset);
    const alert = {
      ...row.alert,
      sent: new Date().toISOString(),
      replayed: row.replayed,
      ...(this.deps.volatile?.() ? { volatile: true as const } : {}),
    };
    gate.publish(client, { kind: 'alert', alert }).then(
      () => {
        this.inflight.delete(row.asset);
        if (this.outbox.isOpen()) this.outbox.ack(row.seq);
        this.c.sent++;
        this.drain();
      },
      (err: unknown) => {
        this.inflight.delete(row.asset);
        if (isEdgeError(err, 'E_EGRESS')) {
          // Refused for good (audited and counted): drop it so it cannot block its asset forever.
          if (this.outbox.isOpen()) this.outbox.ack(row.seq);
          queueMicrotask(() => this.drain());
          return;
        }
        // Connection closed under it: the row stays and is sent again on the next connect.
        this.c.publishErrors++;
        this.log.debug({ err: errMessage(err), id: row.id }, 'alert publish not acknowledged');
        // If we are still connected (an error other than a close), try again shortly.
        setTimeout(() => this.drain(), 1000).unref();
      },
    );
  }

  /** Best effort: a digest sent while disconnected is dropped (its alerts are in the outbox) and logged. */
  publishDigest(digest: DigestMessage): void {
    if (!this.connected) {
      this.log.info({ assets: digest.assets.length }, 'alert-storm digest not sent: uplink disconnected');
      return;
    }
    this.send({ kind: 'digest', digest });
  }

  private send(msg: Parameters<EgressGate['publish']>[1]): void {
    if (!this.client || !this.gate) return;
    this.gate.publish(this.client, msg).catch((err: unknown) => this.log.warn({ err: errMessage(err) }, 'status not published'));
  }

  private publishHealth(): void {
    if (this.connected) this.send({ kind: 'health', status: { ...this.status('online'), health: this.health() } });
  }

  private status(state: 'online' | 'offline'): Status {
    const versions = this.deps.versions?.();
    return {
      v: 1,
      agentId: this.deps.agentId,
      agentVersion: this.deps.version,
      site: this.cfg.agent.site,
      state,
      ts: new Date().toISOString(),
      ...(versions ? { versions } : {}),
    };
  }

  /** The numeric health summary carried by the retained status. */
  health(): Health {
    return healthSummary(this.deps, this.startedAt, this.c.sent);
  }

  /** Publish the offline status (a clean stop is not a death: no will), then disconnect. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.healthTimer = null;
    if (this.statusTimer) clearTimeout(this.statusTimer);
    this.statusTimer = null;
    this.offHealth?.();
    this.offHealth = null;
    this.conn = null;
    const client = this.client;
    this.client = null;
    if (!client) return;
    if (this.connected && this.gate && this.cfg.uplink.egress.allow.includes('status')) {
      try {
        await withTimeout(this.gate.publish(client, { kind: 'status', status: this.status('offline') }), 2000);
      } catch (err) {
        this.log.warn({ err: errMessage(err) }, 'offline status not acknowledged');
      }
    }
    await withTimeout(client.endAsync(!this.connected), 3000).catch((err: unknown) => {
      this.log.warn({ err: errMessage(err) }, 'upstream did not close cleanly; forcing');
      return client.endAsync(true);
    });
    this.connected = false;
    this.outbox.setOnline(false);
  }

  stats(): UplinkStats {
    return {
      enabled: this.cfg.uplink.enabled,
      connected: this.connected,
      ...this.c,
      egress: { ...(this.gate?.counters ?? { published: 0, denied: 0, bytes: 0, auditErrors: 0 }) },
      auditPath: this.gate?.auditPath ?? null,
    };
  }
}

/** The numeric health summary of the retained status (and of the Sparkplug NDATA's egress check). */
export function healthSummary(deps: UplinkDeps, startedAt: number, sent: number): Health {
  const o = deps.outbox.stats();
  const snap = deps.health.snapshot();
  const components: NonNullable<Health['components']> = {};
  for (const name of COMPONENTS) {
    const c = snap.components[name];
    // Messages stay local (they may name files or assets): upstream gets state, reason code and since.
    if (c) components[name] = { state: c.state, reason: c.reason, since: c.since };
  }
  return {
    uptimeS: Math.round((Date.now() - startedAt) / 1000),
    status: snap.status,
    components,
    outbox: {
      queued: o.queued,
      bytes: o.bytes,
      maxCount: o.maxCount,
      maxBytes: o.maxBytes,
      overflow: o.overflow,
      dropped: o.dropped,
      rejected: o.rejected,
      sent: sent,
    },
    alerts: deps.alertCounts(),
    metrics: deps.healthMetrics?.() ?? {},
  };
}

export { redactUrl };

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_r, reject) => {
    t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}
