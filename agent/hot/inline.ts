/**
 * The hot path in the main thread's own event loop (`detect.isolation:
 * inline`): the model session, the pipeline and the plant connection built
 * in process. What the Node-RED nodes do (the runtime owns the loop there),
 * and what the in-process benchmark drives directly. The agent's default is
 * the hot thread (thread.ts): inline, the cold path shares this loop.
 */
import type { Logger } from 'pino';
import { TripUnit } from '../alerts/trips.js';
import type { Config } from '../config/schema.js';
import { builtinCardPath } from '../detect/card.js';
import { ModelRunner } from '../detect/model.js';
import type { BaselineStore } from '../detect/store.js';
import type { EventBus } from '../events.js';
import { MqttSource } from '../ingest/source.js';
import type { AgentStats } from '../observe/stats.js';
import { Pipeline } from '../pipeline.js';
import type { ConnectionEvent, HotPath } from './thread.js';

export class InlineHot implements HotPath {
  readonly runner: ModelRunner;
  readonly pipeline: Pipeline;
  readonly source: MqttSource;
  onConnection: ((e: ConnectionEvent) => void) | undefined;

  constructor(cfg: Config, stats: AgentStats, store: BaselineStore, bus: EventBus, log: Logger) {
    this.runner = new ModelRunner(cfg.assets.defaults.modelCard ?? builtinCardPath(), cfg.detect, log.child({ module: 'model' }));
    // Trips publish on the plant connection from inside the decision path (alerts/trips.ts).
    const trips = new TripUnit(
      cfg.alerts,
      cfg.agent.site,
      (t, p, o) => this.publishLocal(t, p, o?.qos ?? 1),
      stats,
      log.child({ module: 'trips' }),
    );
    this.pipeline = new Pipeline(cfg, this.runner, store, bus, stats, log.child({ module: 'pipeline' }), {
      trips: trips.active ? trips : undefined,
    });
    this.source = new MqttSource(
      cfg.plant.broker,
      cfg.plant.subscriptions,
      this.pipeline,
      stats,
      log.child({ module: 'ingest' }),
      cfg.log.rateLimitMs,
    );
    this.source.onConnection = (e) => this.onConnection?.(e);
    // A Sparkplug node or device death: its assets' alerts resolve as stale (alerting listens on the bus).
    this.source.onStale = (assets, lastSeen) => bus.emit('stale', { assets, reason: 'node_death', lastSeen });
  }

  get plantConnected(): boolean {
    return this.source.isConnected;
  }

  get modelLabel(): string | null {
    return this.runner.card ? this.runner.id : null;
  }

  /** Loads the model (a bad model fails start-up before anything else starts). */
  async prepare(): Promise<void> {
    await this.runner.start();
  }

  async start(): Promise<void> {
    await this.source.start();
  }

  phases(): ReturnType<Pipeline['phases']> {
    return this.pipeline.phases();
  }

  sparkplugNodes(): ReturnType<MqttSource['sparkplugNodes']> {
    return this.source.sparkplugNodes();
  }

  refit(asset: string): boolean {
    return this.pipeline.refit(asset);
  }

  publishLocal(topic: string, payload: Buffer, qos: 0 | 1): void {
    this.source.mqtt?.publish(topic, payload, { qos });
  }

  async stop(): Promise<void> {
    // A clean stop is not an outage: stop listening to connection events before closing the connection.
    this.onConnection = undefined;
    await this.source.stop();
    await this.pipeline.stop();
    await this.runner.stop();
  }
}
