/**
 * What the live status page shows, collected from the event bus on the main
 * thread: per asset a ring of time buckets (peak score, threshold, anomalous
 * and missed-deadline counts), its phase, the alerts seen since the start and
 * the recent health events. A decision costs a few field writes into
 * preallocated typed arrays (no allocation, no I/O); everything else (JSON,
 * HTML) is built when a browser asks, on the cold path.
 */
import type { Alert } from '../../alerts/schema.js';
import type { EventBus } from '../../events.js';
import type { Decision } from '../../types.js';

/** Sizing of the rings: `buckets` × `bucketMs` is the chart's time span. */
export interface FeedOptions {
  bucketMs: number;
  buckets: number;
  /** Assets beyond this many are counted, not charted (memory stays bounded). */
  maxAssets: number;
  /** Learning target per asset, for the "learning n/N" progress. */
  learnSamples: (asset: string) => number;
}

/** One asset's ring and counters. Typed arrays, allocated once per asset. */
class AssetRing {
  /** Bucket start time (ms, source time) per slot; NaN = empty. */
  readonly t: Float64Array;
  readonly score: Float32Array;
  readonly threshold: Float32Array;
  readonly anomalous: Uint32Array;
  readonly missed: Uint32Array;
  /** Sequence number of the newest bucket (slot = seq % length); -1 before the first decision. */
  seq = -1;
  phase: 'learning' | 'detecting' = 'learning';
  learned = 0;
  decisions = 0;
  anomalies = 0;
  misses = 0;
  lastTs = 0;

  constructor(
    readonly asset: string,
    n: number,
  ) {
    this.t = new Float64Array(n).fill(Number.NaN);
    this.score = new Float32Array(n);
    this.threshold = new Float32Array(n);
    this.anomalous = new Uint32Array(n);
    this.missed = new Uint32Array(n);
  }
}

/** A closed bucket range of one asset, column-wise as uPlot takes it (t in seconds). */
export interface SeriesChunk {
  t: number[];
  score: number[];
  threshold: number[];
  anomalous: number[];
  missed: number[];
}

/** One asset as the page shows it. */
export interface AssetView {
  asset: string;
  phase: 'learning' | 'detecting';
  learned: number;
  learnTarget: number;
  decisions: number;
  anomalies: number;
  misses: number;
  /** Source time of the latest decision, ms. */
  lastTs: number;
  /** Closed buckets newer than the `since` sequence asked for. */
  series: SeriesChunk;
  /** Sequence number of the newest closed bucket in `series` (the next `since`). */
  upTo: number;
}

/** An alert as the page lists it: the latest transition of its episode. */
export type AlertView = Pick<
  Alert,
  'alertId' | 'asset' | 'state' | 'severity' | 'firstSeen' | 'lastSeen' | 'score' | 'threshold' | 'seq'
> & { pattern: string; summary: string; summarySource: string };

/** A health event (`health` on the bus), newest last. */
export interface HealthEventView {
  at: number;
  kind: string;
  ok: boolean;
  message: string;
  asset?: string | undefined;
}

/** 4 significant digits: what a 150-pixel chart can show, and a third of the JSON of a float32 printed in full. */
const sig4 = (x: number): number => (Number.isFinite(x) ? Number(x.toPrecision(4)) : x);

const RECENT_RESOLVED = 10;
const RECENT_HEALTH = 20;

/** Collects the page's data from the bus. start()/stop() subscribe and unsubscribe. */
export class StatusFeed {
  private readonly rings = new Map<string, AssetRing>();
  private readonly open = new Map<string, AlertView>();
  private readonly resolved: AlertView[] = [];
  private readonly healthEvents: HealthEventView[] = [];
  private offs: Array<() => void> = [];
  /** Decisions of assets past maxAssets: counted so the page can say how many are not charted. */
  uncharted = 0;

  constructor(
    private readonly bus: EventBus,
    private readonly opts: FeedOptions,
  ) {}

  start(): void {
    this.offs = [
      this.bus.on('decision', (d) => this.onDecision(d)),
      this.bus.on('phase', (p) => {
        const r = this.rings.get(p.asset);
        if (!r) return;
        r.phase = p.phase;
        // A refit starts learning again from zero.
        if (p.phase === 'learning') r.learned = 0;
      }),
      this.bus.on('alert', (a) => this.onAlert(a.payload)),
      this.bus.on('health', (h) => {
        this.healthEvents.push({ at: Date.now(), kind: h.kind, ok: h.ok, message: h.message, asset: h.asset });
        if (this.healthEvents.length > RECENT_HEALTH) this.healthEvents.shift();
      }),
    ];
  }

  stop(): void {
    for (const off of this.offs) off();
    this.offs = [];
  }

  /** Runs for every decision: O(1), no allocation once the asset's ring exists. */
  private onDecision(d: Decision): void {
    let r = this.rings.get(d.asset);
    if (!r) {
      if (this.rings.size >= this.opts.maxAssets) {
        this.uncharted++;
        return;
      }
      r = new AssetRing(d.asset, this.opts.buckets);
      this.rings.set(d.asset, r);
    }
    r.decisions++;
    r.phase = d.phase;
    r.lastTs = d.ts;
    if (d.phase === 'learning') {
      r.learned++;
      return;
    }
    const n = r.t.length;
    const start = d.ts - (d.ts % this.opts.bucketMs);
    let slot = r.seq < 0 ? -1 : r.seq % n;
    // A later bucket opens a new slot; a sample from an earlier bucket (late, clock step back) joins the newest one.
    if (slot < 0 || start > (r.t[slot] as number)) {
      r.seq++;
      slot = r.seq % n;
      r.t[slot] = start;
      r.score[slot] = 0;
      r.anomalous[slot] = 0;
      r.missed[slot] = 0;
    }
    if (d.score > (r.score[slot] as number)) r.score[slot] = d.score;
    r.threshold[slot] = d.threshold;
    if (d.anomalous) {
      r.anomalous[slot]!++;
      r.anomalies++;
    }
    if (d.deadlineMissed) {
      r.missed[slot]!++;
      r.misses++;
    }
  }

  private onAlert(a: Alert): void {
    const v: AlertView = {
      alertId: a.alertId,
      asset: a.asset,
      state: a.state,
      severity: a.severity,
      firstSeen: a.firstSeen,
      lastSeen: a.lastSeen,
      score: a.score,
      threshold: a.threshold,
      seq: a.seq,
      pattern: a.diagnosis.pattern,
      summary: a.summary.text,
      summarySource: a.summary.source,
    };
    if (a.state === 'resolved') {
      this.open.delete(a.alertId);
      this.resolved.push(v);
      if (this.resolved.length > RECENT_RESOLVED) this.resolved.shift();
    } else {
      this.open.set(a.alertId, v);
    }
  }

  /**
   * Every asset with its closed buckets newer than `since(asset)` (the open,
   * newest bucket is still filling and is sent once it closes).
   */
  assets(since: (asset: string) => number = () => -1): AssetView[] {
    const out: AssetView[] = [];
    for (const r of this.rings.values()) {
      const n = r.t.length;
      const newestClosed = r.seq - 1;
      // The ring holds sequences seq-n+1 .. seq; the newest one is still filling.
      const from = Math.max(since(r.asset) + 1, r.seq - n + 1, 0);
      const series: SeriesChunk = { t: [], score: [], threshold: [], anomalous: [], missed: [] };
      for (let s = from; s <= newestClosed; s++) {
        const i = s % n;
        series.t.push((r.t[i] as number) / 1000);
        series.score.push(sig4(r.score[i] as number));
        series.threshold.push(sig4(r.threshold[i] as number));
        series.anomalous.push(r.anomalous[i] as number);
        series.missed.push(r.missed[i] as number);
      }
      out.push({
        asset: r.asset,
        phase: r.phase,
        learned: r.learned,
        learnTarget: this.opts.learnSamples(r.asset),
        decisions: r.decisions,
        anomalies: r.anomalies,
        misses: r.misses,
        lastTs: r.lastTs,
        series,
        upTo: Math.max(newestClosed, since(r.asset)),
      });
    }
    return out;
  }

  /** Open alerts, most severe and then newest first, and the last few resolved ones. */
  alerts(): { open: AlertView[]; resolved: AlertView[] } {
    const rank = { critical: 0, warning: 1, info: 2 } as const;
    const open = [...this.open.values()].sort((a, b) => rank[a.severity] - rank[b.severity] || b.lastSeen.localeCompare(a.lastSeen));
    return { open, resolved: [...this.resolved].reverse() };
  }

  health(): HealthEventView[] {
    return [...this.healthEvents];
  }
}
