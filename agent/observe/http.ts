import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { HealthSnapshot } from './health.js';

/** What /healthz serves: the health snapshot (observe/health.ts) plus the agent's counters and service details. */
export interface HealthReport extends HealthSnapshot {
  /** False exactly when some component is down (then the HTTP status is 503). */
  ok: boolean;
  [k: string]: unknown;
}

/**
 * `/metrics` (Prometheus text) and `/healthz` (JSON; 200 when ok, 503 when not)
 * on 127.0.0.1 by default. Read-only: nothing here can change the agent.
 */
export class ObserveServer {
  private server: Server | undefined;

  constructor(
    private readonly opts: { host: string; port: number },
    private readonly registry: Registry,
    private readonly extraMetrics: () => string,
    private readonly health: () => HealthReport,
    private readonly log: Logger,
    /** `POST /assets/<asset>/refit`: forget the asset's baseline so it learns again. Returns false for an unknown asset. */
    private readonly refit?: (asset: string) => boolean,
  ) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const url = req.url ?? '/';
      const m = /^\/assets\/([^/]+)\/refit$/.exec(url);
      if (req.method === 'POST' && m && this.refit) {
        const asset = decodeURIComponent(m[1]!);
        const ok = this.refit(asset);
        this.log.info({ asset, known: ok }, 'refit requested');
        res.writeHead(ok ? 202 : 404, { 'content-type': 'application/json' });
        res.end(JSON.stringify(ok ? { asset, state: 'learning' } : { error: `unknown asset ${asset}` }));
        return;
      }
      if (req.method !== 'GET') {
        res.writeHead(405).end();
        return;
      }
      if (url.startsWith('/metrics')) {
        this.registry
          .metrics()
          .then((text) => {
            res.writeHead(200, { 'content-type': this.registry.contentType });
            res.end(text + this.extraMetrics());
          })
          .catch((err: unknown) => {
            this.log.error({ err }, 'metrics collection failed');
            res.writeHead(500).end();
          });
        return;
      }
      if (url.startsWith('/healthz')) {
        const h = this.health();
        // Down → 503 (Kubernetes readiness, load balancers, curl -f); degraded still answers 200 and lists itself.
        res.writeHead(h.status === 'down' ? 503 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(h));
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.log.info({ url: `http://${this.opts.host}:${this.port}` }, 'metrics and health listening');
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
