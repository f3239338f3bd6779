/**
 * The model step under the deadline: detecting-phase scans wait in one
 * batch per event-loop turn (setImmediate) and are scored in one ONNX
 * Runtime call, at most one call in flight. One watchdog timer guards the
 * earliest deadline: any scan still undecided at its deadline is decided by
 * the fallback and counted as a miss. Rows are pooled: no allocation per
 * scan in the steady state.
 */
import type { Logger } from 'pino';
import type { AssetDetector } from '../detect/detector.js';
import type { ModelRunner, BatchResult } from '../detect/model.js';
import type { AgentStats } from '../observe/stats.js';

/** A closed detecting-phase scan waiting for (or in) a model batch. */
export interface Row {
  det: AssetDetector;
  x: Float32Array;
  /** Fallback score (largest |z| of any signal), computed at close. */
  fb: number;
  ts: number;
  scan: number;
  /** Arrival of the scan's first value, its close, and close + deadline (monotonic ms). */
  firstAt: number;
  closedAt: number;
  deadlineAt: number;
  decided: boolean;
}

/** How a row is turned into a decision (the pipeline's side). */
export interface RowSink {
  /** `res` and `b` are the model's batch result and the row's index in it; undefined for the fallback. */
  decide(r: Row, source: 'model' | 'fallback', missed: boolean, res: BatchResult | undefined, b: number, now: number): void;
  /** Called when the batcher has nothing queued or in flight. */
  idle(): void;
}

/**
 * A fraction of the deadline: when recent model calls (EWMA) took longer than
 * this share of it, the model step is skipped as certain to miss.
 */
const SKIP_FACTOR = 0.9;
/** Rows within this many ms of their deadline are decided by the fallback when the watchdog fires. */
const SLACK_MS = 0.3;

export class ModelBatch {
  private pending: Row[] = [];
  private inflight: Row[] | null = null;
  private inflightDone: Promise<void> = Promise.resolve();
  private readonly spare: Row[] = [];
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private modelMsEwma = 0;
  private stopped = false;

  constructor(
    private readonly runner: ModelRunner,
    private readonly stats: AgentStats,
    private readonly log: Logger,
    private readonly sink: RowSink,
  ) {}

  /** A pooled row for `det` (its feature vector copied in). */
  take(det: AssetDetector): Row {
    const row = this.spare.pop() ?? {
      det,
      x: new Float32Array(0),
      fb: 0,
      ts: 0,
      scan: 0,
      firstAt: 0,
      closedAt: 0,
      deadlineAt: 0,
      decided: false,
    };
    const x = det.vector();
    if (row.x.length !== x.length) row.x = new Float32Array(x.length);
    row.x.set(x);
    row.det = det;
    row.decided = false;
    return row;
  }

  /** Queues a row for the next batch, or decides it by the fallback now when the model is currently too slow. */
  submit(row: Row, deadlineMs: number): void {
    if (this.modelMsEwma > deadlineMs * SKIP_FACTOR) {
      // The model is currently too slow for this deadline: decide now, count the miss.
      this.decideFallback(row, true);
      this.spare.push(row);
      // Still probe the model now and then so the estimate can recover.
      this.modelMsEwma *= 0.99;
      return;
    }
    this.pending.push(row);
    this.arm(row.deadlineAt);
    if (!this.scheduled && !this.inflight) {
      this.scheduled = true;
      setImmediate(this.runBatch);
    }
  }

  get isIdle(): boolean {
    return !this.inflight && this.pending.length === 0 && !this.scheduled;
  }

  private readonly runBatch = (): void => {
    this.scheduled = false;
    if (this.inflight || this.stopped) return;
    const batch = this.pending.filter((r) => !r.decided);
    for (const r of this.pending) if (r.decided) this.spare.push(r);
    this.pending = [];
    if (batch.length === 0) return this.sink.idle();
    this.inflight = batch;
    const t0 = performance.now();
    this.inflightDone = this.runner
      .score(batch.map((r) => ({ params: r.det.baseline!.pca, x: r.x })))
      .then((res) => {
        const now = performance.now();
        const ms = now - t0;
        this.stats.modelCall.record(ms * 1000);
        this.modelMsEwma = this.modelMsEwma === 0 ? ms : 0.9 * this.modelMsEwma + 0.1 * ms;
        for (let b = 0; b < batch.length; b++) {
          const r = batch[b]!;
          if (r.decided) {
            this.stats.lateModelResults++;
            continue;
          }
          if (now > r.deadlineAt) {
            // The model answered after the deadline (the watchdog's 1 ms timer granularity can let that
            // happen for sub-millisecond budgets): the model missed, the fallback decides.
            this.decideFallback(r, true);
            continue;
          }
          r.decided = true;
          this.stats.modelDecisions++;
          this.sink.decide(r, 'model', false, res, b, now);
        }
      })
      .catch((err: unknown) => {
        this.stats.modelErrors++;
        this.log.error({ err }, 'model step failed; deciding the batch with the fallback');
        for (const r of batch) if (!r.decided) this.decideFallback(r, false);
      })
      .finally(() => {
        for (const r of batch) this.spare.push(r);
        this.inflight = null;
        if (this.pending.length) {
          this.scheduled = true;
          setImmediate(this.runBatch);
        } else this.sink.idle();
      });
  };

  private decideFallback(r: Row, missed: boolean): void {
    r.decided = true;
    this.stats.fallbackDecisions++;
    this.sink.decide(r, 'fallback', missed, undefined, 0, performance.now());
  }

  /** One watchdog timer for the earliest undecided deadline (not a timer per scan). */
  private arm(at: number): void {
    if (at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.onDeadline, Math.max(1, Math.floor(at - performance.now())));
    this.timer.unref();
  }

  private readonly onDeadline = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const list of [this.inflight ?? [], this.pending]) {
      for (const r of list) {
        if (r.decided) continue;
        if (r.deadlineAt - now <= SLACK_MS) this.decideFallback(r, true);
        else if (r.deadlineAt < next) next = r.deadlineAt;
      }
    }
    if (next < Infinity) this.arm(next);
  };

  /** Stops batching; resolves when the call in flight (if any) has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const r of this.pending) this.spare.push(r);
    this.pending = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.inflightDone;
  }
}
