import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { BrokerConfig, SubscriptionConfig } from '../config/sections/plant.js';
import { RateLimitedLog } from '../observe/ratelimit.js';
import type { AgentStats } from '../observe/stats.js';
import type { ScanSink } from '../pipeline.js';
import {
  decoderFor,
  DecodeError,
  SparkplugDecoder,
  type Decoder,
  type DecodeContext,
  type DecoderEnv,
  type SampleEmitter,
} from './decoders/index.js';
import { mqttOptions, redactUrl, setNoDelay } from './mqtt-options.js';
import type { SparkplugNodeStatus } from './sparkplug/host.js';
import { Backoff, reconnectWithBackoff } from './reconnect.js';
import { parseTopicPattern, type TopicPattern } from './topics.js';
import { yieldBetweenPieces } from './yielding-stream.js';

interface Route {
  pattern: TopicPattern;
  sub: SubscriptionConfig;
  decoder: Decoder;
}

interface Resolved {
  route: Route;
  asset: string | undefined;
  signal: string | undefined;
}

const TOPIC_CACHE_MAX = 50_000;
const TOPIC_CACHE_KEY_MAX = 512;

/**
 * The plant-side MQTT source: subscribes, maps topic → asset/signal, decodes,
 * and hands each value to the sink with its message's arrival time
 * (performance.now()), and the end of each multi-signal message as a scan
 * boundary (decoders/types.ts). Malformed and unmapped messages are counted
 * and logged rate-limited; this path never throws.
 */
export class MqttSource {
  private client: MqttClient | undefined;
  private readonly routes: Route[];
  private readonly cache = new Map<string, Resolved | null>();
  private readonly rl: RateLimitedLog;
  private connected = false;
  /** Sparkplug devices whose node or device died (set by the controller): their alerts resolve as stale. */
  onStale: ((assets: string[], lastSeen: number) => void) | undefined;
  /** Connection events for the health registry (set by the controller before start()). */
  onConnection: ((e: { type: 'up' } | { type: 'down' } | { type: 'error'; err: Error }) => void) | undefined;
  /** Reused for every message (the hot path allocates nothing per message here). */
  private readonly ctx: DecodeContext = { topic: '', asset: undefined, signal: undefined, arrivalMs: 0 };
  private arrivedAt = 0;
  private readonly emit: SampleEmitter;

  constructor(
    private readonly broker: BrokerConfig,
    subs: SubscriptionConfig[],
    private readonly sink: ScanSink,
    private readonly stats: AgentStats,
    private readonly log: Logger,
    rateLimitMs: number,
  ) {
    const env: DecoderEnv = {
      log,
      counts: stats.sparkplug,
      rateLimitMs,
      // Rebirth requests go to the plant broker at QoS 0 [tck-id-topics-ncmd-mqtt].
      publish: (topic, payload) => this.client?.publish(topic, payload, { qos: 0 }),
      onStale: (assets, lastSeen) => this.onStale?.(assets, lastSeen),
    };
    this.routes = subs.map((sub) => ({ pattern: parseTopicPattern(sub.topic), sub, decoder: decoderFor(sub, env) }));
    this.rl = new RateLimitedLog(rateLimitMs);
    this.emit = {
      sample: (asset, signal, value, ts) => {
        this.stats.samplesIn++;
        this.sink.ingest(asset, signal, value, ts, this.arrivedAt);
      },
      endScan: (asset) => this.sink.endScan(asset, this.arrivedAt),
    };
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** The Sparkplug edge nodes seen by each sparkplug subscription (for /healthz); empty without one. */
  sparkplugNodes(): SparkplugNodeStatus[] {
    return this.routes.flatMap((r) => (r.decoder instanceof SparkplugDecoder ? r.decoder.host.status() : []));
  }

  /** The underlying client, for local actions that publish on the plant broker. */
  get mqtt(): MqttClient | undefined {
    return this.client;
  }

  async start(): Promise<void> {
    // manualConnect: the socket read path is wrapped before the first connect, so a large read is
    // handed to mqtt.js in pieces and the pipeline's batch runs between them (yielding-stream.ts).
    const client = mqtt.connect(this.broker.url, { ...mqttOptions(this.broker, 'edge-sentinel-plant'), manualConnect: true });
    yieldBetweenPieces(client);
    reconnectWithBackoff(client, new Backoff(this.broker.reconnectMs, this.broker.reconnectMaxMs));
    this.client = client;
    client.on('connect', () => {
      setNoDelay(client);
      this.connected = true;
      this.onConnection?.({ type: 'up' });
      this.log.info({ url: redactUrl(this.broker.url) }, 'plant broker connected');
      const filters = Object.fromEntries(this.routes.map((r) => [r.pattern.filter, { qos: r.sub.qos }]));
      client.subscribe(filters, (err) => {
        if (err) this.log.error({ err }, 'subscribe failed');
      });
    });
    client.on('close', () => {
      this.connected = false;
      this.onConnection?.({ type: 'down' });
    });
    // The health registry logs the state change once; the raw errors are summarised by the rate limit.
    client.on('error', (err) => {
      this.onConnection?.({ type: 'error', err });
      this.rl.maybe('mqtt-error', (n) => this.log.debug({ err: err.message, suppressed: n }, 'plant broker error'));
    });
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.connect();
    await new Promise<void>((resolve) => {
      // Do not fail start-up when the broker is down: mqtt.js keeps reconnecting and the agent reports it in /healthz.
      const t = setTimeout(resolve, 5000);
      t.unref();
      client.once('connect', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    this.connected = false;
    if (c) await c.endAsync();
  }

  /** Hot path entry for one MQTT message. Public so replay and Node-RED adapters can feed messages without a broker. */
  onMessage(topic: string, payload: Buffer, arrivedAt = performance.now()): void {
    this.stats.messagesIn++;
    const r = this.resolve(topic);
    if (!r) {
      this.stats.unmapped++;
      this.rl.maybe('unmapped', (n) => this.log.warn({ topic, suppressed: n }, 'message on a topic no mapping matched'));
      return;
    }
    const ctx = this.ctx;
    ctx.topic = topic;
    ctx.asset = r.asset;
    ctx.signal = r.signal;
    // Sub-millisecond wall time: a burst from one socket read would otherwise give several samples
    // of one signal the same millisecond, and the window would drop all but the first as duplicates.
    ctx.arrivalMs = performance.timeOrigin + arrivedAt;
    this.arrivedAt = arrivedAt;
    try {
      r.route.decoder.decode(payload, ctx, this.emit);
    } catch (err) {
      this.stats.decodeErrors++;
      const reason = err instanceof DecodeError ? err.reason : 'internal';
      this.rl.maybe(`decode:${reason}`, (n) =>
        this.log.warn({ topic, reason, err: (err as Error).message, suppressed: n }, 'payload dropped: decode failed'),
      );
    }
  }

  private resolve(topic: string): Resolved | null {
    const hit = this.cache.get(topic);
    if (hit !== undefined) return hit;
    let res: Resolved | null = null;
    for (const route of this.routes) {
      const m = route.pattern.match(topic);
      if (m) {
        res = { route, asset: m['asset'] ?? route.sub.asset, signal: m['signal'] ?? route.sub.signal };
        break;
      }
    }
    // Bounded by count and by key size: 50k cached topics of MQTT's 64 KB maximum would hold 3 GB.
    if (topic.length > TOPIC_CACHE_KEY_MAX) return res;
    if (this.cache.size >= TOPIC_CACHE_MAX) this.cache.clear();
    this.cache.set(topic, res);
    return res;
  }
}
