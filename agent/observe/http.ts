import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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

/** A module serving its own paths (the status page): returns true when it answered the request. */
export interface HttpRoute {
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}

/**
 * `/metrics` (Prometheus text) and `/healthz` (JSON; 503 when a component is
 * down) on 127.0.0.1 by default, plus the GET routes other modules add (the
 * status page). GET routes only read. The one write route,
 * `POST /assets/<asset>/refit` (it wipes a learned baseline), needs
 * `Authorization: Bearer <observe.http.token>` and is off without a token: a
 * web page in a browser on the gateway can send a simple POST to 127.0.0.1
 * (CSRF), but not one with an Authorization header (that needs a CORS
 * preflight this server never grants).
 */
export class ObserveServer {
  private server: Server | undefined;
  private readonly routes: HttpRoute[] = [];

  constructor(
    private readonly opts: { host: string; port: number; token?: string | undefined },
    private readonly registry: Registry,
    private readonly extraMetrics: () => string,
    private readonly health: () => HealthReport,
    private readonly log: Logger,
    /** `POST /assets/<asset>/refit`: forget the asset's baseline so it learns again. Returns false for an unknown asset. */
    private readonly refit?: (asset: string) => boolean,
  ) {}

  /** Adds paths served by another module; asked in order before the 404. */
  addRoute(route: HttpRoute): void {
    this.routes.push(route);
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const url = req.url ?? '/';
      const m = /^\/assets\/([^/]+)\/refit$/.exec(url);
      if (req.method === 'POST' && m && this.refit) {
        const denied = this.deny(req);
        if (denied) {
          res.writeHead(denied.code, {
            'content-type': 'application/json',
            ...(denied.code === 401 ? { 'www-authenticate': 'Bearer' } : {}),
          });
          res.end(JSON.stringify({ error: denied.error }));
          return;
        }
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
      for (const r of this.routes) if (r.handle(req, res)) return;
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

  /** Why a write request is refused (null when allowed); logged without the presented credential. */
  private deny(req: IncomingMessage): { code: 401 | 403; error: string } | null {
    const token = this.opts.token;
    if (!token) {
      this.log.warn({ url: req.url }, 'write route refused: no observe.http.token configured');
      return { code: 403, error: 'write routes are off: set observe.http.token (or tokenFile) to enable them' };
    }
    const got = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const a = Buffer.from(got);
    const b = Buffer.from(token);
    // Constant-time compare, so the token cannot be guessed byte by byte from response times.
    if (a.length === b.length && timingSafeEqual(a, b)) return null;
    this.log.warn({ url: req.url, presented: got ? 'wrong token' : 'none' }, 'write route refused: bad or missing bearer token');
    return { code: 401, error: 'missing or wrong bearer token (Authorization: Bearer <observe.http.token>)' };
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
