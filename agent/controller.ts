import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from './config/schema.js';
import { BaselineStore } from './detect/store.js';
import { EventBus } from './events.js';
import type { ActiveVersions } from './fleet/result.js';
import { ConnectionHealth } from './observe/connection-health.js';
import { HealthRegistry } from './observe/health.js';
import { bridgeBusHealth, watchHotPath } from './observe/hotpath-health.js';
import { ObserveServer, type HealthReport } from './observe/http.js';
import { buildRegistry, latencyHistogramText, type MetricsContributor } from './observe/metrics.js';
import { AgentStats } from './observe/stats.js';
import { redactUrl } from './ingest/mqtt-options.js';
import { resolveSecret } from './config/load.js';
import { HotThread, type HotPath } from './hot/thread.js';
import { StatusPage } from './observe/status/index.js';
import { VERSION } from './version.js';

/** The agent's id: `agent.id`, or the host name made topic-safe. */
export function agentIdOf(config: Config): string {
  return config.agent.id ?? hostname().replace(/[^A-Za-z0-9_.-]/g, '-');
}

/** A stage with a lifecycle. Constructors only assign; I/O happens in start(). */
export interface Service {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Details (counters) shown under the service's name in /healthz; its state goes to the health registry. */
  health?(): Record<string, unknown>;
  metrics?: MetricsContributor;
}

/** What an extension (alerts, uplink, history, explain, node adapters) gets to build itself. */
export interface AgentContext {
  config: Config;
  log: Logger;
  bus: EventBus;
  stats: AgentStats;
  /** Where every component reports ok / degraded / down (observe/health.ts). */
  health: HealthRegistry;
  /** The hot path's phases and refit (in its thread, or in process). */
  pipeline: HotPath;
  agentId: string;
  version: string;
  stateDir: string;
  /** Publishes on the plant broker (local actions only; never upstream). */
  publishLocal(topic: string, payload: Buffer, opts?: { qos: 0 | 1 }): void;
  /** Config and model versions running (remote management), for the upstream status. */
  versions(): ActiveVersions;
}

/** What a supervisor (remote management) tells the agent it builds. */
export interface AgentOptions {
  /** Versions of the applied remote config and model bundles; null = local file / built-in model. */
  bundles?: { config: number | null; model: number | null };
}

/** Builds zero or more services from the context (a stage that is disabled returns none). */
export type Extension = (ctx: AgentContext) => Service | Service[] | undefined;

/**
 * Builds every service from the config and runs start()/stop() in mirror
 * order (zigbee2mqtt's controller is the model).
 */
export class Agent {
  /** Shared memory: the hot thread writes it, this thread reads it (observe/stats.ts). */
  readonly stats = AgentStats.shared();
  readonly bus: EventBus;
  /** Component health: the one source for /healthz, /metrics, systemd and the upstream status. */
  readonly healthRegistry: HealthRegistry;
  readonly agentId: string;
  readonly stateDir: string;
  readonly store: BaselineStore;
  /** The hot path: its own thread (`detect.isolation: thread`, the default) or this event loop (`inline`); set by start(). */
  hot!: HotPath;
  private http: ObserveServer | undefined;
  private status: StatusPage | undefined;
  private readonly services: Service[] = [];
  private started: Service[] = [];
  registry: Registry | undefined;

  constructor(
    readonly config: Config,
    readonly log: Logger,
    private readonly extensions: Extension[] = [],
    private readonly opts: AgentOptions = {},
  ) {
    this.bus = new EventBus(log.child({ module: 'bus' }));
    this.healthRegistry = new HealthRegistry(log.child({ module: 'health' }));
    this.agentId = agentIdOf(config);
    this.stateDir = resolve(config.agent.stateDir);
    this.store = new BaselineStore(this.stateDir, log.child({ module: 'baselines' }), {
      health: this.healthRegistry,
      retryMs: config.agent.storageRetryS * 1000,
    });
  }

  /** The hot path's phases and refit (kept under this name for extensions and tools that read it). */
  get pipeline(): HotPath {
    return this.hot;
  }

  /** Builds the hot path: a thread of its own, or (inline) this loop's, loaded only then (it pulls in ONNX Runtime). */
  private async buildHot(): Promise<HotPath> {
    const log = this.log.child({ module: 'hot' });
    if (this.config.detect.isolation === 'thread') return new HotThread(this.config, this.stats, this.store, this.bus, log);
    const { InlineHot } = await import('./hot/inline.js');
    return new InlineHot(this.config, this.stats, this.store, this.bus, log);
  }

  get httpPort(): number {
    return this.http?.port ?? 0;
  }

  async start(): Promise<void> {
    const t0 = performance.now();
    const hc = this.config.observe.health;
    const plant = new ConnectionHealth(this.healthRegistry, 'plant', redactUrl(this.config.plant.broker.url), hc.downAfterS * 1000);
    this.hot = await this.buildHot();
    this.hot.onConnection = (e) => (e.type === 'up' ? plant.connected() : e.type === 'down' ? plant.lost() : plant.error(e.err));
    bridgeBusHealth(this.bus, this.healthRegistry);
    watchHotPath(this.healthRegistry, this.stats, hc);
    this.store.start();
    // A model that does not load fails start-up before anything else starts.
    await this.hot.prepare();
    const ctx: AgentContext = {
      config: this.config,
      log: this.log,
      bus: this.bus,
      stats: this.stats,
      health: this.healthRegistry,
      pipeline: this.pipeline,
      agentId: this.agentId,
      version: VERSION,
      stateDir: this.stateDir,
      publishLocal: (topic, payload, opts) => this.hot.publishLocal(topic, payload, opts?.qos ?? 1),
      versions: () => this.versions(),
    };
    for (const ext of this.extensions) {
      const s = ext(ctx);
      if (Array.isArray(s)) this.services.push(...s);
      else if (s) this.services.push(s);
    }
    try {
      for (const s of this.services) {
        await s.start();
        this.started.push(s);
      }
      if (this.config.observe.http.enabled) {
        this.registry = buildRegistry(
          this.stats,
          this.pipeline,
          this.services.flatMap((s) => (s.metrics ? [s.metrics] : [])),
          this.healthRegistry,
        );
        const h = this.config.observe.http;
        this.http = new ObserveServer(
          { host: h.host, port: h.port, token: resolveSecret(h.token, h.tokenFile) },
          this.registry,
          () => latencyHistogramText(this.stats),
          () => this.health(),
          this.log.child({ module: 'http' }),
          (a) => this.pipeline.refit(a),
        );
        if (this.config.observe.status.enabled) {
          this.status = new StatusPage(
            this.config,
            this.bus,
            this.stats,
            () => this.health(),
            this.agentId,
            VERSION,
            this.log.child({ module: 'status' }),
          );
          this.status.start();
          this.http.addRoute(this.status);
        }
        await this.http.start();
      }
      // Ingest last: every consumer is ready before the first sample.
      await this.hot.start();
      this.healthRegistry.start(hc.checkIntervalMs);
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.log.info(
      { agentId: this.agentId, version: VERSION, stateDir: this.stateDir, ms: Math.round(performance.now() - t0) },
      'agent started',
    );
  }

  /** Config and model versions running: bundle versions from the supervisor, the model's own `name@version`. */
  versions(): ActiveVersions {
    return {
      config: this.opts.bundles?.config ?? null,
      model: this.opts.bundles?.model ?? null,
      modelLabel: this.hot?.modelLabel ?? null,
    };
  }

  /**
   * The agent's health as data: every component's state, reason and since
   * (observe/health.ts), the agent's counters, and each service's details.
   * /healthz serves exactly this; status pages and tests read it too.
   */
  health(): HealthReport {
    const lat = this.stats.latency.snapshot();
    const scan = this.stats.scanLatency.snapshot();
    const snap = this.healthRegistry.snapshot();
    const details: Record<string, unknown> = {};
    for (const s of this.services) {
      const h = s.health?.();
      if (h) details[s.name] = h;
    }
    return {
      ok: snap.status !== 'down',
      ...snap,
      agentId: this.agentId,
      version: VERSION,
      plantConnected: this.hot.plantConnected,
      ...(this.hot.sparkplugNodes().length ? { sparkplug: this.hot.sparkplugNodes() } : {}),
      assets: this.pipeline.phases(),
      samplesIn: this.stats.samplesIn,
      decisions: this.stats.decisions,
      deadlineMisses: this.stats.deadlineMisses,
      latencyUs: { p50: lat.p50, p99: lat.p99, p999: lat.p999, max: lat.max },
      scanLatencyUs: { p50: scan.p50, p99: scan.p99, p999: scan.p999, max: scan.max },
      scans: { ...this.stats.scans },
      trips: this.stats.tripsFired,
      ...details,
    };
  }

  async stop(): Promise<void> {
    // Mirror order: stop ingest first, drain the hot path, then the consumers.
    // A clean stop is not an outage: stop listening to connection events before closing the connections.
    this.healthRegistry.stop();
    // Stops the plant connection (no more connection events: a clean stop is not an outage) and drains the hot path.
    await this.hot?.stop().catch((err: unknown) => this.log.warn({ err }, 'hot path stop failed'));
    this.status?.stop();
    this.status = undefined;
    await this.http?.stop();
    this.http = undefined;
    for (const s of [...this.started].reverse()) {
      await s.stop().catch((err: unknown) => this.log.error({ err, service: s.name }, 'service stop failed'));
    }
    this.started = [];
    await this.store.close();
    this.bus.removeAll();
    this.log.info('agent stopped');
  }
}
