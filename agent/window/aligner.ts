import { ScanLearner } from './period.js';

/** Why a sample was not accepted. */
export type Reject = 'nonFinite' | 'late' | 'duplicate' | 'unknownSignal' | 'future' | 'signalLimit';

/** Why a scan closed (counted per reason: `edge_sentinel_scans_total{close}`). */
export type ScanClose = 'complete' | 'message' | 'repeat' | 'leader' | 'timer';

/** The window's share of an asset's tuning. */
export interface WindowTuning {
  stalenessMs: number;
  lateToleranceMs: number;
  /** Samples stamped further than this in the future (source time vs this box's clock) are rejected. */
  clockSkewMs: number;
  /** Fixed scan close timer, ms; undefined = derived from the learned scan period. */
  scanCloseMs?: number | undefined;
}

/** A signal that missed this many scans in a row is no longer waited for (a stopped or slower signal). */
const EXPECT_MISSES = 2;
/** The close timer before the scan period is known, ms. */
const DEFAULT_CLOSE_MS = 1000;
/**
 * The derived close timer in scan periods. Past one period: while the stream
 * flows, the next tick's leader or a repeated signal closes an incomplete
 * scan first (within one period, whatever the delivery jitter); the timer is
 * the backstop for a stream that pauses. Half a period split ticks whenever
 * delivery jitter exceeded it (measured: ~75 % of 500 Hz scans through
 * Mosquitto on a loaded box).
 */
const CLOSE_PERIODS = 1.5;
/**
 * The derived close timer is never shorter than this, ms: a timer under the
 * delivery and event-loop jitter splits scans that are merely late, while a
 * flowing stream closes incomplete scans by repeat or leader anyway.
 */
const MIN_CLOSE_MS = 20;

/**
 * One asset's window: each signal's last value with its source and arrival
 * time, and the open scan being assembled (docs/architecture.md, "Scans").
 * A value joins the open scan; the scan closes when every expected signal has
 * a new value, when its message ends (multi-signal messages), when a signal
 * sends again, when the signal that leads the asset's ticks arrives, or when
 * the close timer runs out. Signals without a new value are carried forward.
 * Arrays grow only when a new signal appears (learning), never per sample.
 */
export class AssetWindow {
  readonly signals: string[] = [];
  private readonly index = new Map<string, number>();
  values = new Float64Array(4);
  lastTs = new Float64Array(4);
  lastArrival = new Float64Array(4);
  /** 1 when the signal has a new value in the open scan. */
  fresh = new Uint8Array(4);
  /** Closed scans in a row without a value of the signal (saturating). */
  private missed = new Uint8Array(4);
  /** When frozen, unknown signals are rejected (the detector's layout is fixed after learning). */
  frozen = false;
  /** Whether a scan is open, and its first arrival (monotonic ms) and newest source time. */
  scanOpen = false;
  firstAt = 0;
  scanTs = -Infinity;
  /** Scans closed so far; the open scan is number seq + 1. */
  seq = 0;
  /** Number of the scan the last accepted value joined. */
  joined = 0;
  private expected = 0;
  private expectedFresh = 0;
  /** A signal never seen before joined the open scan: the set it would be complete against is still growing. */
  private grew = false;
  private readonly learner = new ScanLearner();
  private derivedCloseMs = DEFAULT_CLOSE_MS;
  /** Values in the open scan, the arrival of the asset's last value, and the open scan's largest gap and the signal after it. */
  private count = 0;
  private lastAt = NaN;
  private gapMax = -1;
  private gapAfter = -1;

  /** Most signals this asset may have (assets.maxSignals): a flood of bogus signal names must not grow it. */
  maxSignals = Infinity;

  constructor(
    readonly asset: string,
    private readonly tuning: WindowTuning,
  ) {}

  /** Index of the signal, adding it if the window is not frozen; -1 when unknown. */
  indexOf(signal: string): number {
    const i = this.index.get(signal);
    if (i !== undefined) return i;
    if (this.frozen) return -1;
    const n = this.signals.length;
    if (n >= this.maxSignals) return -1;
    if (n === this.values.length) this.grow();
    this.signals.push(signal);
    this.index.set(signal, n);
    this.lastTs[n] = -Infinity;
    this.lastArrival[n] = -Infinity;
    this.missed[n] = 0;
    this.expected++;
    this.grew = true;
    return n;
  }

  /**
   * Checks one sample: the signal index, or why it is dropped. Changes nothing
   * but the signal set (a new signal while learning). `wallNow` is this box's
   * clock (ms epoch): a sample stamped beyond it by more than the clock-skew
   * bound is rejected and never moves the signal's clock (one bad timestamp
   * would otherwise make every later sample of the signal "late"). Out-of-order
   * samples within `lateToleranceMs` are accepted, unless the open scan already
   * holds a newer value of the signal.
   */
  accept(signal: string, value: number, ts: number, wallNow: number): number | Reject {
    if (!Number.isFinite(value) || !Number.isFinite(ts)) return 'nonFinite';
    if (ts - wallNow > this.tuning.clockSkewMs) return 'future';
    const i = this.indexOf(signal);
    if (i < 0) return this.frozen ? 'unknownSignal' : 'signalLimit';
    const last = this.lastTs[i]!;
    if (ts === last) return 'duplicate';
    if (ts < last && (this.fresh[i] === 1 || ts < last - this.tuning.lateToleranceMs)) return 'late';
    return i;
  }

  /** Arrival time (monotonic ms) at which the open scan's close timer runs out. */
  get closeAt(): number {
    return this.firstAt + (this.tuning.scanCloseMs ?? this.derivedCloseMs);
  }

  /** The index of the signal that starts the asset's ticks (learned), or -1. */
  get leader(): number {
    return this.learner.leader;
  }

  /** Adds an accepted value to the open scan (opening one if none is). */
  add(i: number, value: number, ts: number, arrivedAt: number): void {
    if (!this.scanOpen) {
      this.scanOpen = true;
      this.firstAt = arrivedAt;
      this.scanTs = ts;
    } else if (ts > this.scanTs) this.scanTs = ts;
    const prev = this.lastArrival[i]!;
    if (prev > -Infinity) this.learner.interval(arrivedAt - prev);
    const gap = arrivedAt - this.lastAt;
    if (this.count === 0 || gap > this.gapMax) {
      this.gapMax = Number.isNaN(gap) ? 0 : gap;
      this.gapAfter = i;
    }
    this.lastAt = arrivedAt;
    this.count++;
    this.values[i] = value;
    if (ts > this.lastTs[i]!) this.lastTs[i] = ts;
    this.lastArrival[i] = arrivedAt;
    this.fresh[i] = 1;
    if (this.missed[i]! < EXPECT_MISSES) this.expectedFresh++;
    this.joined = this.seq + 1;
  }

  /**
   * Every expected signal has a new value in the open scan. Never while the
   * scan brought a new signal (learning): the first message of an asset, or
   * the first tick of a plain-number stream, would otherwise close after its
   * first value; such a scan closes at its message end, at a repeat or by the
   * timer.
   */
  get complete(): boolean {
    return !this.grew && this.expectedFresh >= this.expected;
  }

  /**
   * Closes the open scan once its values are consumed (the detector read the
   * fresh flags): updates which signals are expected, and every few scans the
   * derived close timer.
   */
  endScan(): void {
    let expected = 0;
    for (let i = 0; i < this.signals.length; i++) {
      if (this.fresh[i] === 1) {
        this.fresh[i] = 0;
        this.missed[i] = 0;
      } else if (this.missed[i]! < 255) this.missed[i]!++;
      if (this.missed[i]! < EXPECT_MISSES) expected++;
    }
    this.expected = expected;
    this.expectedFresh = 0;
    this.grew = false;
    this.scanOpen = false;
    this.seq++;
    this.learner.scan(this.count, this.gapAfter);
    this.count = 0;
    const p = this.learner.period;
    if (p > 0) this.derivedCloseMs = Math.max(MIN_CLOSE_MS, p * CLOSE_PERIODS);
  }

  /** True when signal i has not arrived within the staleness limit (arrival clock, ms). */
  isStale(i: number, now: number): boolean {
    return now - this.lastArrival[i]! > this.tuning.stalenessMs;
  }

  private grow(): void {
    const cap = this.values.length * 2;
    const g = <T extends Float64Array<ArrayBuffer> | Uint8Array<ArrayBuffer>>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.set(a);
      return b;
    };
    this.values = g(this.values);
    this.lastTs = g(this.lastTs);
    this.lastArrival = g(this.lastArrival);
    this.fresh = g(this.fresh);
    this.missed = g(this.missed);
  }
}
