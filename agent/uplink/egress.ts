/**
 * The egress gate: the ONE place every upstream publish goes through.
 * It accepts only typed messages (an alert, a status or a command result), re-validates them
 * against their strict zod schemas, checks the kind against the configured
 * allowlist, builds the topic itself, and appends a line to the egress audit
 * log before handing the bytes to MQTT. There is no way to pass it a topic
 * or a buffer: raw samples, features and baselines have no type here, so no
 * config can send them upstream.
 */
import { isAbsolute, join } from 'node:path';
import type { Logger } from 'pino';
import { alertSchema, type Alert } from '../alerts/schema.js';
import type { EgressKind, UplinkConfig } from '../config/sections/uplink.js';
import { EdgeError, errMessage } from '../errors.js';
import { digestMessageSchema, type DigestMessage } from '../explain/digest.js';
import { commandResultSchema, type CommandResult } from '../fleet/result.js';
import { JsonlLog } from '../observe/jsonl-log.js';
import { classifySparkplugMessage } from './sparkplug/classify.js';
import { statusSchema, type Status } from './status.js';

/** Everything that may go upstream. */
export type EgressMessage =
  | { kind: 'alert'; alert: Alert }
  | { kind: 'status'; status: Status }
  | { kind: 'health'; status: Status }
  | { kind: 'command'; result: CommandResult }
  | { kind: 'digest'; digest: DigestMessage };

/** A message the gate approved, ready for mqtt.js. */
export interface Approved {
  topic: string;
  payload: Buffer;
  qos: 0 | 1;
  retain: boolean;
}

/**
 * Another wire format for an approved message (Sparkplug B): it gets the
 * validated object (never the caller's), returns the topic and bytes to
 * send, or null when there is nothing to send. The gate still checks,
 * allowlists and audits; only the encoding differs.
 */
export type EgressEncoder = (body: Alert | Status | CommandResult | DigestMessage) => Approved | null;

/** One line of the egress audit log (JSON lines). */
export interface EgressAuditLine {
  ts: string;
  /** publish = handed to MQTT; will = registered as the MQTT will; deny = refused by the gate. */
  action: 'publish' | 'will' | 'deny';
  kind: string;
  topic: string;
  broker: string;
  bytes: number;
  id?: string;
  reason?: string;
}

/** The minimal MQTT client surface the gate publishes through. */
export interface MqttPublisher {
  publish(topic: string, payload: Buffer, opts: { qos: 0 | 1; retain: boolean }, cb: (err?: Error) => void): unknown;
}

/** MQTT topic levels may not contain / + # (or NUL, [MQTT-4.7.3-2]); replace rather than fail an alert. */
export function topicLevel(s: string): string {
  return s.replace(/[/+#]/g, '_').split(String.fromCharCode(0)).join('_');
}

export class EgressGate {
  private readonly allow: ReadonlySet<EgressKind>;
  readonly auditPath: string;
  readonly counters = { published: 0, denied: 0, bytes: 0, auditErrors: 0 };

  constructor(
    private readonly cfg: UplinkConfig,
    private readonly site: string,
    stateDir: string,
    private readonly broker: string,
    private readonly log: Logger,
    /** Told when audit writes start failing (ok=false) and when they work again (the default logs it); called on changes only. */
    private readonly onAuditState: (ok: boolean, message: string) => void = (ok, message) => (ok ? log.info(message) : log.error(message)),
  ) {
    this.allow = new Set(cfg.egress.allow);
    this.auditPath = isAbsolute(cfg.egress.auditFile) ? cfg.egress.auditFile : join(stateDir, cfg.egress.auditFile);
    // Rotated by size, so the log is bounded on an SD card. A read-only or missing state dir must not stop
    // alerts from leaving: audit writes fail (and say so) instead.
    this.auditLog = new JsonlLog(this.auditPath, cfg.egress.auditMaxBytes, cfg.egress.auditKeep);
  }

  private readonly auditLog: JsonlLog;

  /** Whether the last audit write failed. */
  private auditBroken = false;

  /** The status topic (retained birth/death/health): per site, or per agent when several agents serve one site. */
  statusTopic(agentId?: string): string {
    const site = `${this.cfg.prefix}/${topicLevel(this.site)}`;
    return this.cfg.statusPerAgent && agentId ? `${site}/${topicLevel(agentId)}/status` : `${site}/status`;
  }

  /** Where a message goes: the gate builds every topic itself. */
  private topicOf(msg: EgressMessage): string {
    switch (msg.kind) {
      case 'alert':
        return `${this.cfg.prefix}/${topicLevel(this.site)}/${topicLevel(msg.alert.asset)}/alert`;
      case 'command':
        return `${this.cfg.prefix}/${topicLevel(this.site)}/${topicLevel(msg.result.agentId)}/cmd/result`;
      case 'digest':
        return `${this.cfg.prefix}/${topicLevel(this.site)}/digest`;
      case 'status':
      case 'health':
        // Typed, but a caller may still hand over anything: the topic of a malformed message must not throw before check().
        return this.statusTopic(typeof msg.status?.agentId === 'string' ? msg.status.agentId : undefined);
      default:
        return this.statusTopic();
    }
  }

  /** Validate, allowlist and audit; throws E_EGRESS when refused. With `encode`, null when the encoder had nothing to send. */
  approve(msg: EgressMessage, action?: 'publish' | 'will'): Approved;
  approve(msg: EgressMessage, action: 'publish' | 'will', encode: EgressEncoder): Approved | null;
  approve(msg: EgressMessage, action: 'publish' | 'will' = 'publish', encode?: EgressEncoder): Approved | null {
    const kind = msg.kind as string;
    const topic = this.topicOf(msg);
    const reason = this.check(msg);
    if (reason) {
      this.counters.denied++;
      this.audit({ ts: new Date().toISOString(), action: 'deny', kind, topic, broker: this.broker, bytes: 0, reason });
      this.log.error({ kind, topic, reason }, 'egress denied');
      throw new EdgeError('E_EGRESS', `egress denied for ${kind} on ${topic}: ${reason}`);
    }
    // Serialise the parsed object, not the caller's: the schema strips nothing (strict) and we send exactly what was checked.
    const body =
      msg.kind === 'alert'
        ? alertSchema.parse(msg.alert)
        : msg.kind === 'command'
          ? commandResultSchema.parse(msg.result)
          : msg.kind === 'digest'
            ? digestMessageSchema.parse(msg.digest)
            : statusSchema.parse(msg.status);
    // Status and command results are retained: a fleet view that subscribes later still sees the last one.
    const wire = encode
      ? encode(body)
      : { topic, payload: Buffer.from(JSON.stringify(body)), qos: 1 as const, retain: msg.kind !== 'alert' && msg.kind !== 'digest' };
    if (!wire) return null;
    const id = msg.kind === 'alert' ? msg.alert.id : undefined;
    this.audit({
      ts: new Date().toISOString(),
      action,
      kind,
      topic: wire.topic,
      broker: this.broker,
      bytes: wire.payload.length,
      ...(id ? { id } : {}),
    });
    return wire;
  }

  /**
   * The one upstream publish: approve, then hand to MQTT. Resolves true on PUBACK (QoS 1) or once written (QoS 0),
   * false when the encoder had nothing to send; rejects (E_EGRESS) when refused.
   */
  publish(client: MqttPublisher, msg: EgressMessage, encode?: EgressEncoder): Promise<boolean> {
    let a: Approved | null;
    try {
      a = encode ? this.approve(msg, 'publish', encode) : this.approve(msg);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    if (!a) return Promise.resolve(false);
    const { topic, payload, qos, retain } = a;
    this.counters.published++;
    this.counters.bytes += payload.length;
    return new Promise((resolve, reject) => {
      client.publish(topic, payload, { qos, retain }, (err) => (err ? reject(err) : resolve(true)));
    });
  }

  private check(msg: EgressMessage): string | null {
    if (!this.allow.has(msg.kind)) return `kind "${msg.kind}" not in uplink.egress.allow`;
    if (msg.kind === 'alert') {
      const r = alertSchema.safeParse(msg.alert);
      return r.success ? null : `not a valid v1 alert: ${r.error.issues[0]?.message ?? 'invalid'}`;
    }
    if (msg.kind === 'status' || msg.kind === 'health') {
      const r = statusSchema.safeParse(msg.status);
      if (!r.success) return `not a valid status: ${r.error.issues[0]?.message ?? 'invalid'}`;
      if ((msg.kind === 'health') !== (msg.status.health !== undefined)) return 'health must be sent as kind "health" and only then';
      return null;
    }
    if (msg.kind === 'command') {
      const r = commandResultSchema.safeParse(msg.result);
      return r.success ? null : `not a valid command result: ${r.error.issues[0]?.message ?? 'invalid'}`;
    }
    if (msg.kind === 'digest') {
      const r = digestMessageSchema.safeParse(msg.digest);
      return r.success ? null : `not a valid digest: ${r.error.issues[0]?.message ?? 'invalid'}`;
    }
    return `unknown kind "${String((msg as { kind: unknown }).kind)}"`;
  }

  private audit(line: EgressAuditLine): void {
    try {
      // Synchronous append: the line is on disk (page cache) before the bytes go out.
      this.auditLog.append(line);
      if (this.auditBroken) {
        this.auditBroken = false;
        this.onAuditState(true, `egress audit log ${this.auditPath} writable again`);
      }
    } catch (err) {
      this.auditFailed(err);
    }
  }

  private auditFailed(err: unknown): void {
    this.counters.auditErrors++;
    if (this.auditBroken) return;
    this.auditBroken = true;
    this.onAuditState(false, `cannot write the egress audit log ${this.auditPath}: ${errMessage(err)}; messages are sent unaudited`);
  }
}

/**
 * Whether an upstream message (topic + bytes, e.g. captured on the upstream
 * broker) is one the gate could have produced: a strict v1 alert on an alert
 * topic, a strict status on the status topic, or a strict command result on
 * a result topic. For sovereignty tests.
 */
export function classifyUpstreamMessage(
  topic: string,
  payload: Buffer | string,
): { ok: true; kind: 'alert' | 'status' | 'command' | 'sparkplug' } | { ok: false; reason: string } {
  if (topic.startsWith('spBv1.0/')) {
    const r = classifySparkplugMessage(topic, Buffer.from(payload));
    return r.ok ? { ok: true, kind: 'sparkplug' } : r;
  }
  let body: unknown;
  try {
    body = JSON.parse(payload.toString());
  } catch (err) {
    return { ok: false, reason: `not JSON: ${errMessage(err)}` };
  }
  if (topic.endsWith('/alert')) {
    const r = alertSchema.safeParse(body);
    return r.success
      ? { ok: true, kind: 'alert' }
      : { ok: false, reason: `alert topic without a valid v1 alert: ${r.error.issues[0]?.message ?? ''}` };
  }
  if (topic.endsWith('/status')) {
    const r = statusSchema.safeParse(body);
    return r.success
      ? { ok: true, kind: 'status' }
      : { ok: false, reason: `status topic without a valid status: ${r.error.issues[0]?.message ?? ''}` };
  }
  if (topic.endsWith('/cmd/result')) {
    const r = commandResultSchema.safeParse(body);
    return r.success
      ? { ok: true, kind: 'command' }
      : { ok: false, reason: `result topic without a valid command result: ${r.error.issues[0]?.message ?? ''}` };
  }
  return { ok: false, reason: `topic ${topic} is neither an alert, a status nor a command result topic` };
}
