/**
 * The live status page at `/` on the observe HTTP port: built by the
 * controller, subscribed to the bus before the first sample, its routes
 * registered with the observe server. See docs/observability.md.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { EventBus } from '../../events.js';
import type { HealthReport } from '../http.js';
import type { AgentStats } from '../stats.js';
import { StatusFeed } from './feed.js';
import { StatusRoutes } from './routes.js';

export class StatusPage {
  private readonly feed: StatusFeed;
  private routes: StatusRoutes | undefined;

  constructor(
    private readonly cfg: Config,
    bus: EventBus,
    private readonly stats: AgentStats,
    private readonly health: () => HealthReport,
    private readonly agentId: string,
    private readonly version: string,
    private readonly log: Logger,
  ) {
    const s = cfg.observe.status;
    this.feed = new StatusFeed(bus, {
      bucketMs: s.bucketMs,
      buckets: Math.ceil((s.windowS * 1000) / s.bucketMs),
      maxAssets: s.maxAssets,
      learnSamples: (asset) => cfg.assets.overrides[asset]?.learnSamples ?? cfg.assets.defaults.learnSamples,
    });
  }

  /** Subscribes to the bus; call before ingest starts so the page sees every decision. */
  start(): void {
    this.feed.start();
    // Built here, not in the constructor: it reads uPlot from disk (I/O belongs in start()).
    this.routes = new StatusRoutes(
      {
        feed: this.feed,
        health: this.health,
        latency: () => ({ histogram: this.stats.latency, misses: this.stats.deadlineMisses }),
        agent: {
          id: this.agentId,
          version: this.version,
          site: this.cfg.agent.site,
          deadlineMs: this.cfg.assets.defaults.deadlineMs,
          windowS: this.cfg.observe.status.windowS,
        },
      },
      this.log,
    );
  }

  /** The observe server's route hook: true when the request was ours. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    return this.routes?.handle(req, res) ?? false;
  }

  stop(): void {
    this.routes?.stop();
    this.feed.stop();
  }
}
