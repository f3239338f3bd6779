/**
 * The status page's HTTP routes on the observe port: `GET /` (the page, one
 * self-contained HTML document), `GET /status.json` (everything the page
 * shows, once) and `GET /status/events` (Server-Sent Events: the full state on
 * connect, then once a second what changed). One timer runs while at least one
 * browser listens; it only reads the feed and the counters.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { HealthReport } from '../http.js';
import type { LatencyHistogram } from '../histogram.js';
import type { StatusFeed } from './feed.js';
import { statusPageHtml, STATUS_CSP } from './page.js';

/** What the routes read besides the feed. */
export interface StatusSources {
  feed: StatusFeed;
  health: () => HealthReport;
  /** Arrival → decision latency of every decision, µs, and the deadline-miss count. */
  latency: () => { histogram: LatencyHistogram; misses: number };
  /** Shown in the header; windowS is the charts' time span. */
  agent: { id: string; version: string; site: string; deadlineMs: number; windowS: number };
}

/** Upper bucket edges of the page's deadline histogram, µs (the last bucket is open). */
export const LATENCY_EDGES_US = [100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000] as const;

interface Client {
  res: ServerResponse;
  /** Per asset: the newest bucket sequence already sent. */
  sent: Map<string, number>;
}

const TICK_MS = 1000;

export class StatusRoutes {
  private readonly html: string;
  private readonly clients = new Set<Client>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly src: StatusSources,
    private readonly log: Logger,
  ) {
    this.html = statusPageHtml(src.agent);
  }

  /** Serves the request when it is one of ours; returns false otherwise (the server answers 404). */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET') return false;
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': STATUS_CSP,
        'cache-control': 'no-store',
      });
      res.end(this.html);
      return true;
    }
    if (path === '/status.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(this.message('full', new Map())));
      return true;
    }
    if (path === '/status/events') {
      this.subscribe(res);
      return true;
    }
    return false;
  }

  private subscribe(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    const client: Client = { res, sent: new Map() };
    this.clients.add(client);
    res.on('close', () => {
      this.clients.delete(client);
      if (this.clients.size === 0) this.idle();
    });
    this.send(client, 'full');
    if (!this.timer) {
      this.timer = setInterval(() => {
        for (const c of this.clients) this.send(c, 'delta');
      }, TICK_MS);
      // The page must never keep the process alive on its own.
      this.timer.unref();
    }
  }

  private send(c: Client, type: 'full' | 'delta'): void {
    let text: string;
    try {
      text = JSON.stringify(this.message(type, c.sent));
    } catch (err) {
      this.log.error({ err }, 'status snapshot failed');
      return;
    }
    c.res.write(`event: ${type}\ndata: ${text}\n\n`);
  }

  /** One state message; advances `sent` to the buckets it carries. */
  private message(type: 'full' | 'delta', sent: Map<string, number>): object {
    const assets = this.src.feed.assets((a) => sent.get(a) ?? -1);
    for (const a of assets) sent.set(a.asset, a.upTo);
    const { histogram: h, misses } = this.src.latency();
    const counts: number[] = [];
    let below = 0;
    for (const edge of LATENCY_EDGES_US) {
      const n = h.countBelow(edge);
      counts.push(n - below);
      below = n;
    }
    counts.push(h.count - below);
    const q = h.snapshot();
    return {
      type,
      now: Date.now(),
      agent: this.src.agent,
      assets,
      uncharted: this.src.feed.uncharted,
      alerts: this.src.feed.alerts(),
      latency: { edgesUs: LATENCY_EDGES_US, counts, count: q.count, p50: q.p50, p99: q.p99, p999: q.p999, max: q.max, misses },
      health: this.src.health(),
      healthEvents: this.src.feed.health(),
    };
  }

  private idle(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Ends every event stream and the timer (the server then closes). */
  stop(): void {
    this.idle();
    for (const c of this.clients) c.res.end();
    this.clients.clear();
  }
}
