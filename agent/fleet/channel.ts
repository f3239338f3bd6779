/**
 * The management channel: its own MQTT connection (it outlives the agent
 * restarts an apply causes), subscribed to this agent's retained command
 * topics, publishing results through the egress gate.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { errMessage } from '../errors.js';
import { mqttOptions, setNoDelay } from '../ingest/mqtt-options.js';
import { EgressGate, topicLevel } from '../uplink/egress.js';
import { redactUrl } from '../uplink/upstream.js';
import { BUNDLE_KINDS, type BundleKind } from './bundle.js';
import type { CommandResult } from './result.js';

/** Receives each command message as it arrives (the supervisor queues them). */
export type CommandHandler = (kind: BundleKind, msg: Buffer) => void;

/** `<prefix>/<site>/<agent>/cmd/<kind>`: where the bundles of one agent arrive. */
export function commandTopic(prefix: string, site: string, agentId: string, kind: BundleKind | 'result'): string {
  return `${prefix}/${topicLevel(site)}/${topicLevel(agentId)}/cmd/${kind}`;
}

export class CommandChannel {
  private client: MqttClient | null = null;
  private gate: EgressGate | null = null;
  private readonly log: Logger;
  connected = false;

  constructor(
    private readonly cfg: Config,
    private readonly agentId: string,
    private readonly stateDir: string,
    log: Logger,
  ) {
    this.log = log.child({ module: 'fleet-channel' });
  }

  get prefix(): string {
    return this.cfg.fleet.prefix ?? this.cfg.uplink.prefix;
  }

  /** What the channel connects with: a config change that alters it needs a new channel. */
  static key(cfg: Config): string {
    return JSON.stringify([cfg.fleet.broker ?? cfg.uplink.broker, cfg.fleet.prefix ?? cfg.uplink.prefix, cfg.uplink.egress]);
  }

  /** Connect and subscribe; does not wait for the broker (mqtt.js reconnects, results queue meanwhile). */
  start(handler: CommandHandler): void {
    const broker = this.cfg.fleet.broker ?? this.cfg.uplink.broker;
    if (!broker) throw new Error('fleet: no broker (checked by the config)');
    this.gate = new EgressGate(
      { ...this.cfg.uplink, prefix: this.prefix },
      this.cfg.agent.site,
      this.stateDir,
      redactUrl(broker.url),
      this.log,
    );
    const opts = mqttOptions(broker, `edge-sentinel-fleet-${this.agentId}`);
    // 3.1.1: bridges and most central brokers speak it, and nothing here needs MQTT 5.
    opts.protocolVersion = 4;
    const client = mqtt.connect(broker.url, opts);
    this.client = client;
    const topics = BUNDLE_KINDS.map((k) => commandTopic(this.prefix, this.cfg.agent.site, this.agentId, k));
    client.on('connect', () => {
      if (broker.noDelay) setNoDelay(client);
      this.connected = true;
      this.log.info({ url: redactUrl(broker.url), topics }, 'fleet channel connected');
      client.subscribe(topics, { qos: 1 }, (err) => {
        if (err) this.log.error({ err: err.message }, 'fleet: subscribe failed');
      });
    });
    client.on('close', () => {
      if (this.connected) this.log.warn('fleet channel lost; reconnecting');
      this.connected = false;
    });
    client.on('error', (err) => this.log.warn({ err: err.message }, 'fleet broker error'));
    client.on('message', (topic, payload) => {
      const kind = BUNDLE_KINDS.find((k) => topic === topics[BUNDLE_KINDS.indexOf(k)]);
      // An empty retained message clears the topic: nothing to apply.
      if (!kind || payload.length === 0) return;
      handler(kind, payload);
    });
  }

  /** Publish a result (retained) through the egress gate; refused kinds are audited there and logged here. */
  publishResult(result: CommandResult): void {
    const { client, gate } = this;
    if (!client || !gate) return;
    gate
      .publish(client, { kind: 'command', result })
      .catch((err: unknown) => this.log.warn({ err: errMessage(err) }, 'command result not published'));
  }

  /** Disconnect (results already handed to mqtt.js are flushed first). */
  async stop(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (!c) return;
    c.removeAllListeners('message');
    await c.endAsync().catch((err: unknown) => this.log.warn({ err: errMessage(err) }, 'fleet channel did not close cleanly'));
    this.connected = false;
  }
}
