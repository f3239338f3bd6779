/**
 * `uplink.format: sparkplug`: the agent as a Sparkplug B edge node on the
 * upstream broker, each asset a device. The same outbox and egress gate as
 * the JSON uplink; what differs is the session around them:
 *
 *   CONNECT (will = NDEATH, next bdSeq) → [wait for the primary host's STATE online]
 *   → NBIRTH + DBIRTH of every asset → drain the outbox as DDATA, in order
 *   NCMD Node Control/Rebirth → births again; host offline → NDEATH, disconnect, reconnect, wait
 *
 * Births and data go at QoS 0 as the spec requires [tck-id-topics-ddata-mqtt],
 * so delivery rests on the session, not on PUBACKs: a row leaves the outbox
 * once written to the socket; a transition lost with a dropped connection is
 * carried by the DBIRTH of the next session (current values), and a host
 * that sees a seq gap asks for a rebirth.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { StoredAlert } from '../../alerts/schema.js';
import type { Config } from '../../config/schema.js';
import { errMessage, isEdgeError } from '../../errors.js';
import { mqttOptions, redactUrl, setNoDelay } from '../../ingest/mqtt-options.js';
import { Backoff, reconnectWithBackoff } from '../../ingest/reconnect.js';
import { ConnectionHealth } from '../../observe/connection-health.js';
import type { OutboxRow } from '../../persist/outbox.js';
import { decodePayload, sparkplugTopic } from '../../sparkplug/codec.js';
import { EgressGate, type Approved, type EgressMessage } from '../egress.js';
import type { Status } from '../status.js';
import { healthSummary, type UplinkDeps } from '../upstream.js';
import { EdgeNodeSession, isRebirthRequest, type SpMessage } from './edge-node.js';
import { HostStateTracker, hostStateTopics, parseHostState } from './host-state.js';
import { alertValues, type DeviceState } from './metrics.js';
import { NodeStateFile } from './node-state.js';
import { nodeHealth, statusOf } from './node-health.js';

export class SparkplugUplink {
  private readonly log: Logger;
  private client: MqttClient | null = null;
  private gate: EgressGate | null = null;
  private session: EdgeNodeSession | null = null;
  private readonly file: NodeStateFile;
  private readonly host = new HostStateTracker();
  private conn: ConnectionHealth | null = null;
  private connected = false;
  /** NBIRTH and DBIRTHs sent in this session: only then may data go out [tck-id-payloads-ddata-order]. */
  private born = false;
  private draining = false;
  private stopping = false;
  private offHealth: (() => void) | null = null;
  private readonly startedAt = Date.now();
  readonly c = { connects: 0, births: 0, rebirthRequests: 0, hostOffline: 0, badHostState: 0, sent: 0, publishErrors: 0 };

  constructor(
    private readonly cfg: Config,
    private readonly deps: UplinkDeps,
  ) {
    this.log = deps.log.child({ module: 'uplink-sparkplug' });
    this.file = new NodeStateFile(deps.stateDir, this.log);
  }

  private get sp() {
    return this.cfg.uplink.sparkplug;
  }

  async start(): Promise<void> {
    const up = this.cfg.uplink;
    if (!up.enabled || !up.broker) return;
    const broker = up.broker;
    const health = this.deps.health;
    const target = redactUrl(broker.url);
    this.conn = new ConnectionHealth(health, 'uplink', target, this.cfg.observe.health.downAfterS * 1000);
    this.gate = new EgressGate(up, this.cfg.agent.site, this.deps.stateDir, target, this.log, (ok, message) =>
      ok ? health.clear('uplink', 'audit', message) : health.set('uplink', 'audit', 'degraded', 'audit_write_failed', message),
    );
    const saved = this.file.load();
    const session = new EdgeNodeSession(this.sp.groupId ?? this.cfg.agent.site, this.sp.edgeNodeId ?? this.deps.agentId, saved.bdSeq);
    for (const [device, state] of Object.entries(saved.devices)) session.restore(device, state);
    this.session = session;
    if (this.sp.primaryHostId)
      health.set('uplink', 'host', 'degraded', 'uplink_host_offline', `waiting for the STATE of primary host ${this.sp.primaryHostId}`);
    const opts = mqttOptions(broker, `edge-sentinel-sp-${this.deps.agentId}`);
    // 3.1.1 with a clean session [tck-id-principles-persistence-clean-session-311]; QoS 0 publishes are
    // not queued while offline: an old DDATA must never go out before the next session's NBIRTH.
    Object.assign(opts, { protocolVersion: 4, clean: true, queueQoSZero: false, will: this.nextWill() });
    const client = mqtt.connect(broker.url, opts);
    reconnectWithBackoff(client, new Backoff(broker.reconnectMs, broker.reconnectMaxMs));
    this.client = client;
    // Every CONNECT carries the next bdSeq in its will [tck-id-topics-nbirth-bdseq-increment].
    client.on('reconnect', () => {
      client.options.will = this.nextWill();
    });
    client.on('connect', () => this.onConnect(client));
    client.on('close', () => {
      this.connected = false;
      this.born = false;
      this.conn?.lost();
      this.deps.outbox.setOnline(false);
    });
    client.on('error', (err) => this.conn?.error(err));
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    this.deps.outbox.onReady(() => this.drain());
    this.offHealth = health.onChange(() => this.onHealthChange());
  }

  /** The NDEATH will of the next CONNECT, audited now (the broker publishes it later). */
  private nextWill(): { topic: string; payload: Buffer; qos: 1; retain: false } {
    const { bdSeq, will } = this.session!.connect(Date.now());
    this.file.saveBdSeq(bdSeq);
    this.gate!.approve({ kind: 'status', status: this.status('offline') }, 'will', () => will);
    return { topic: will.topic, payload: will.payload, qos: 1, retain: false };
  }

  private onConnect(client: MqttClient): void {
    if (this.cfg.uplink.broker?.noDelay !== false) setNoDelay(client);
    this.connected = true;
    this.c.connects++;
    this.conn?.connected();
    const s = this.session!;
    // Commands at QoS 1 [tck-id-message-flow-edge-node-ncmd-subscribe]; the host's STATE when one is configured.
    const topics = [sparkplugTopic(s.group, 'NCMD', s.edge), ...(this.sp.primaryHostId ? hostStateTopics(this.sp.primaryHostId) : [])];
    client.subscribe(topics, { qos: 1 }, (err) => {
      if (err) this.log.error({ err: err.message }, 'Sparkplug subscribe failed');
      // Without a primary host, birth at once; with one, wait for its STATE [tck-id-message-flow-edge-node-birth-publish-phid-wait].
      else if (!this.sp.primaryHostId || this.host.online) this.birth();
    });
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (topic.endsWith(`/NCMD/${this.session!.edge}`)) {
      let rebirth = false;
      try {
        rebirth = isRebirthRequest(decodePayload(payload).metrics);
      } catch (err) {
        this.log.warn({ topic, err: errMessage(err) }, 'NCMD does not decode; ignored');
      }
      if (!rebirth) return;
      // Stop data, then NBIRTH with the same bdSeq and every DBIRTH [tck-id-operational-behavior-data-commands-rebirth-action-1..3].
      this.c.rebirthRequests++;
      this.log.info('rebirth requested by the host');
      if (this.connected && (!this.sp.primaryHostId || this.host.online)) this.birth();
      return;
    }
    const st = parseHostState(topic, payload, Date.now());
    if (!st) {
      this.c.badHostState++;
      this.log.warn({ topic }, 'primary host STATE is neither {"online","timestamp"} JSON nor ONLINE/OFFLINE; ignored');
      return;
    }
    const verdict = this.host.update(st);
    if (verdict === 'online') {
      this.deps.health.clear('uplink', 'host', `primary host ${this.sp.primaryHostId} online`);
      if (this.connected && !this.born) this.birth();
    } else if (verdict === 'offline') this.onHostOffline();
  }

  /** A newer offline STATE: NDEATH, disconnect, reconnect at once, and wait for online [tck-id-operational-behavior-edge-node-termination-host-offline, -reconnect]. */
  private onHostOffline(): void {
    this.c.hostOffline++;
    this.deps.health.set(
      'uplink',
      'host',
      'degraded',
      'uplink_host_offline',
      `primary host ${this.sp.primaryHostId} went offline; alerts are queued`,
    );
    const client = this.client;
    // Not born (waiting already, or a retained OFFLINE seen again after our own reconnect): no session to end.
    if (!client || !this.connected || !this.born) return;
    this.born = false;
    this.deps.outbox.setOnline(false);
    const s = this.session!;
    this.send({ kind: 'status', status: this.status('offline') }, () => s.ndeath(Date.now()));
    client.end(false, {}, () => {
      if (!this.stopping) client.reconnect();
    });
  }

  /** NBIRTH, then a DBIRTH for every known asset, then the backlog [tck-id-payloads-dbirth-order]. */
  private birth(): void {
    const s = this.session!;
    this.born = false;
    const snap = this.deps.health.snapshot();
    const now = Date.now();
    this.send({ kind: 'status', status: this.status('online') }, () => s.nbirth(nodeHealth(snap), now));
    const assets = new Set([...s.deviceIds(), ...(this.deps.assets?.() ?? [])]);
    for (const device of assets) {
      const state = { ...s.state(device, statusOf(snap)), 'Health/Agent': statusOf(snap) };
      this.send({ kind: 'status', status: this.status('online') }, () => s.dbirth(device, state, now));
    }
    this.born = true;
    this.c.births++;
    this.deps.outbox.setOnline(true);
    this.log.info({ devices: assets.size, queued: this.deps.outbox.stats().queued }, 'Sparkplug births sent');
    this.drain();
  }

  /** Each ready head as a DDATA (or a DBIRTH for an asset not born yet), in outbox order. */
  private drain(): void {
    if (!this.born || !this.client || this.draining || this.stopping || !this.deps.outbox.isOpen()) return;
    this.draining = true;
    try {
      // Rows of one asset leave one by one (each is the head once the previous is acked), so several passes.
      for (let rows = this.deps.outbox.readyHeads(); rows.length > 0 && this.born; rows = this.deps.outbox.readyHeads()) {
        for (const row of rows) if (!this.sendRow(row)) return;
      }
    } catch (err) {
      this.log.error({ err: errMessage(err) }, 'outbox drain failed');
    } finally {
      this.draining = false;
    }
  }

  /** One transition as DDATA (DBIRTH for an asset not born yet); acknowledged once mqtt.js took it. False when the session is gone. */
  private sendRow(row: OutboxRow<StoredAlert>): boolean {
    const s = this.session!;
    const health = statusOf(this.deps.health.snapshot());
    const known = s.deviceIds().includes(row.asset);
    const next: DeviceState = { ...s.state(row.asset, health), ...alertValues(row.alert, row.replayed) };
    const alert = { ...row.alert, sent: new Date().toISOString(), replayed: row.replayed };
    const now = Date.now();
    const r = this.send({ kind: 'alert', alert }, () => (known ? s.ddata(row.asset, next, now) : s.dbirth(row.asset, next, now)));
    if (r === 'offline') return false;
    // Refused for good (audited and counted by the gate): dropped, so it cannot block its asset forever.
    if (r !== 'refused') this.file.saveDevice(row.asset, next);
    this.deps.outbox.ack(row.seq);
    return true;
  }

  /**
   * Hand one message to the gate (checks, allowlist, audit, encoding) and to mqtt.js: synchronous up to
   * the socket write, so seq order is publish order.
   */
  private send(msg: EgressMessage, encode: () => SpMessage | null): 'sent' | 'nothing' | 'refused' | 'offline' {
    const client = this.client;
    if (!client || !this.gate || !this.connected) return 'offline';
    let wire: Approved | null;
    try {
      wire = this.gate.approve(msg, 'publish', () => encode());
    } catch (err) {
      if (isEdgeError(err, 'E_EGRESS')) return 'refused';
      throw err;
    }
    if (!wire) return 'nothing';
    this.gate.counters.published++;
    this.gate.counters.bytes += wire.payload.length;
    this.c.sent++;
    client.publish(wire.topic, wire.payload, { qos: wire.qos, retain: false }, (err) => {
      if (err) {
        this.c.publishErrors++;
        this.log.debug({ err: err.message, topic: wire.topic }, 'Sparkplug publish failed; the next session rebirths');
      }
    });
    return 'sent';
  }

  /** Component health as NDATA (a new component means a rebirth), and each device's agent health as DDATA. */
  private onHealthChange(): void {
    if (!this.born) return;
    const s = this.session!;
    const snap = this.deps.health.snapshot();
    const node = nodeHealth(snap);
    if (s.needsRebirth(node)) return this.birth();
    const now = Date.now();
    const health = healthSummary(this.deps, this.startedAt, this.c.sent);
    this.send({ kind: 'health', status: { ...this.status('online'), health } }, () => s.ndata(node, now));
    for (const device of s.deviceIds()) {
      const next = { ...s.state(device, statusOf(snap)), 'Health/Agent': statusOf(snap) };
      this.send({ kind: 'status', status: this.status('online') }, () => s.ddata(device, next, now));
    }
  }

  private status(state: 'online' | 'offline'): Status {
    return {
      v: 1,
      agentId: this.deps.agentId,
      agentVersion: this.deps.version,
      site: this.cfg.agent.site,
      state,
      ts: new Date().toISOString(),
    };
  }

  /** NDEATH before a clean disconnect [tck-id-operational-behavior-edge-node-intentional-disconnect-ndeath, -packet]. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.offHealth?.();
    this.offHealth = null;
    this.conn = null;
    const client = this.client;
    this.client = null;
    if (!client) return;
    if (this.connected && this.gate) {
      const wire = this.gate.approve({ kind: 'status', status: this.status('offline') }, 'publish', () => this.session!.ndeath(Date.now()));
      if (wire) await new Promise<void>((r) => client.publish(wire.topic, wire.payload, { qos: 1, retain: false }, () => r()));
    }
    await client
      .endAsync(!this.connected)
      .catch((err: unknown) => this.log.warn({ err: errMessage(err) }, 'upstream did not close cleanly'));
    this.connected = false;
    this.deps.outbox.setOnline(false);
  }

  health(): Record<string, unknown> {
    return {
      format: 'sparkplug',
      born: this.born,
      hostOnline: this.sp.primaryHostId ? this.host.online : null,
      outbox: this.deps.outbox.stats(),
    };
  }

  stats(): { enabled: boolean; connected: boolean; connects: number; sent: number; publishErrors: number } & Record<string, unknown> {
    return {
      enabled: this.cfg.uplink.enabled,
      connected: this.connected,
      ...this.c,
      egress: { ...(this.gate?.counters ?? {}) },
      auditPath: this.gate?.auditPath ?? null,
    };
  }
}
