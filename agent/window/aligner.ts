import type { AgentStats } from '../observe/stats.js';

/** Why a sample was not accepted. */
export type Reject = 'nonFinite' | 'late' | 'duplicate' | 'unknownSignal';

/**
 * The per-asset alignment state: the last value of each signal with its
 * source time and arrival time. Signals arrive at different rates; a decision
 * uses every signal's last value while it is fresher than the staleness limit.
 * Arrays grow only when a new signal appears (learning), never per sample.
 */
export class AssetWindow {
  readonly signals: string[] = [];
  private readonly index = new Map<string, number>();
  values = new Float64Array(4);
  lastTs = new Float64Array(4);
  lastArrival = new Float64Array(4);
  /** When frozen, unknown signals are rejected (the detector's layout is fixed after learning). */
  frozen = false;

  constructor(
    readonly asset: string,
    private readonly stalenessMs: number,
    private readonly lateToleranceMs: number,
  ) {}

  /** Index of the signal, adding it if the window is not frozen; -1 when unknown. */
  indexOf(signal: string): number {
    const i = this.index.get(signal);
    if (i !== undefined) return i;
    if (this.frozen) return -1;
    const n = this.signals.length;
    if (n === this.values.length) this.grow();
    this.signals.push(signal);
    this.index.set(signal, n);
    this.lastTs[n] = -Infinity;
    this.lastArrival[n] = -Infinity;
    return n;
  }

  /**
   * Accepts one sample; returns the signal index, or the reason it was dropped.
   * Out-of-order samples within `lateToleranceMs` are accepted without moving time back.
   */
  accept(signal: string, value: number, ts: number, arrivedAt: number): number | Reject {
    if (!Number.isFinite(value) || !Number.isFinite(ts)) return 'nonFinite';
    const i = this.indexOf(signal);
    if (i < 0) return 'unknownSignal';
    const last = this.lastTs[i]!;
    if (ts === last && value === this.values[i]) return 'duplicate';
    if (ts < last - this.lateToleranceMs) return 'late';
    if (ts === last) return 'duplicate';
    this.values[i] = value;
    if (ts > last) this.lastTs[i] = ts;
    this.lastArrival[i] = arrivedAt;
    return i;
  }

  /** True when signal i has not arrived within the staleness limit (arrival clock, ms). */
  isStale(i: number, now: number): boolean {
    return now - this.lastArrival[i]! > this.stalenessMs;
  }

  /** Bitmask-free count of stale signals at `now`. */
  staleCount(now: number): number {
    let n = 0;
    for (let i = 0; i < this.signals.length; i++) if (this.isStale(i, now)) n++;
    return n;
  }

  private grow(): void {
    const cap = this.values.length * 2;
    const g = (a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.values = g(this.values);
    this.lastTs = g(this.lastTs);
    this.lastArrival = g(this.lastArrival);
  }
}

/** All assets' windows, bounded so a flood of bogus topics cannot exhaust memory. */
export class Windows {
  private readonly map = new Map<string, AssetWindow>();

  constructor(
    private readonly tuning: (asset: string) => { stalenessMs: number; lateToleranceMs: number },
    private readonly stats: AgentStats,
    private readonly maxAssets = 10_000,
  ) {}

  get(asset: string): AssetWindow | undefined {
    let w = this.map.get(asset);
    if (w) return w;
    if (this.map.size >= this.maxAssets) return undefined;
    const t = this.tuning(asset);
    w = new AssetWindow(asset, t.stalenessMs, t.lateToleranceMs);
    this.map.set(asset, w);
    return w;
  }

  count(reason: Reject): void {
    this.stats.rejected[reason]++;
  }

  all(): IterableIterator<AssetWindow> {
    return this.map.values();
  }
}
