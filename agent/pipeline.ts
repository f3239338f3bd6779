import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import type { AssetTuning } from './config/sections/detect.js';
import { AssetDetector, DETECTOR_PROFILES } from './detect/detector.js';
import type { ModelRunner } from './detect/model.js';
import type { BaselineStore } from './detect/store.js';
import type { EventBus } from './events.js';
import type { AgentStats } from './observe/stats.js';
import type { Decision } from './types.js';

/** A detecting-phase sample waiting for (or in) a model batch. Pooled: no per-sample allocation in the steady state. */
interface Row {
  det: AssetDetector;
  x: Float32Array;
  fb: number;
  ts: number;
  arrivedAt: number;
  deadlineAt: number;
  decided: boolean;
}

/** Model-call time (EWMA, ms) above which the model step is skipped as certain to miss. */
const SKIP_FACTOR = 0.9;
/** Rows within this many ms of their deadline are decided by the fallback when the watchdog fires. */
const SLACK_MS = 0.3;

/**
 * The hot path: window → features → (learning | model batch) → decision.
 * Samples of all assets that arrive in one I/O turn are scored in one ONNX
 * Runtime call (setImmediate batching). One watchdog timer guards the
 * earliest deadline: any row still undecided at its deadline is decided by the
 * fallback detector and counted as a miss. Nothing here does disk or network I/O.
 */
export class Pipeline {
  readonly detectors = new Map<string, AssetDetector>();
  private pending: Row[] = [];
  private inflight: Row[] | null = null;
  private spare: Row[] = [];
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private modelMsEwma = 0;
  private missStreak = 0;
  private healthBad = false;
  private fits = new Set<Promise<unknown>>();
  private idleWaiters: Array<() => void> = [];
  private stopped = false;

  constructor(
    private readonly cfg: Config,
    private readonly runner: ModelRunner,
    private readonly store: BaselineStore | undefined,
    private readonly bus: EventBus,
    private readonly stats: AgentStats,
    private readonly log: Logger,
  ) {}

  tuning(asset: string): AssetTuning {
    const o = this.cfg.assets.overrides[asset];
    return o ? { ...this.cfg.assets.defaults, ...o } : this.cfg.assets.defaults;
  }

  /** The hot entry point, called once per decoded sample. Never throws. */
  ingest(asset: string, signal: string, value: number, ts: number, arrivedAt: number): void {
    let det = this.detectors.get(asset);
    if (!det) {
      if (this.detectors.size >= 10_000) {
        this.stats.rejected.unknownSignal++;
        return;
      }
      det = new AssetDetector(asset, this.tuning(asset), this.cfg.detect.riskQ, DETECTOR_PROFILES[this.cfg.detect.episode]);
      const saved = this.store?.get(asset);
      if (saved && saved.model === this.runner.id) det.restore(saved);
      this.detectors.set(asset, det);
    }
    const i = det.window.accept(signal, value, ts, arrivedAt);
    if (typeof i === 'string') {
      this.stats.rejected[i]++;
      return;
    }
    det.observe(i, value);
    if (this.bus.has('sample')) this.bus.emit('sample', { asset, signal, value, ts });
    if (det.phase !== 'detecting') {
      if (det.phase === 'learning' && det.learn(ts)) this.startFit(det);
      this.emit({
        asset,
        ts,
        phase: 'learning',
        score: 0,
        threshold: 0,
        anomalous: false,
        source: 'fallback',
        latencyUs: (performance.now() - arrivedAt) * 1000,
        deadlineMissed: false,
      });
      return;
    }
    const row = this.spare.pop() ?? { det, x: new Float32Array(0), fb: 0, ts: 0, arrivedAt: 0, deadlineAt: 0, decided: false };
    const x = det.vector();
    if (row.x.length !== x.length) row.x = new Float32Array(x.length);
    row.x.set(x);
    row.det = det;
    row.fb = det.fallbackScore();
    row.ts = ts;
    row.arrivedAt = arrivedAt;
    row.deadlineAt = arrivedAt + det.tuning.deadlineMs;
    row.decided = false;
    if (this.modelMsEwma > det.tuning.deadlineMs * SKIP_FACTOR) {
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

  private readonly runBatch = (): void => {
    this.scheduled = false;
    if (this.inflight || this.stopped) return;
    const batch = this.pending.filter((r) => !r.decided);
    for (const r of this.pending) if (r.decided) this.spare.push(r);
    this.pending = [];
    if (batch.length === 0) return this.maybeIdle();
    this.inflight = batch;
    const t0 = performance.now();
    this.runner
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
          this.countMiss(false);
          this.stats.modelDecisions++;
          this.emit(r.det.decide(res.scores[b]!, 'model', r.ts, (now - r.arrivedAt) * 1000, false, res.z, b * res.fmax, now));
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
        } else this.maybeIdle();
      });
  };

  private decideFallback(r: Row, missed: boolean): void {
    r.decided = true;
    const now = performance.now();
    this.stats.fallbackDecisions++;
    if (missed) this.countMiss(true);
    this.emit(r.det.decide(r.fb, 'fallback', r.ts, (now - r.arrivedAt) * 1000, missed, undefined, 0, now));
  }

  /** One watchdog timer for the earliest undecided deadline (not a timer per sample). */
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

  private countMiss(missed: boolean): void {
    if (!missed) {
      this.missStreak = 0;
      if (this.healthBad) {
        this.healthBad = false;
        this.bus.emit('health', { kind: 'deadline', ok: true, message: 'model decisions are back within the deadline' });
      }
      return;
    }
    this.stats.deadlineMisses++;
    if (++this.missStreak >= this.cfg.detect.missHealthAfter && !this.healthBad) {
      this.healthBad = true;
      this.bus.emit('health', {
        kind: 'deadline',
        ok: false,
        message: `${this.missStreak} consecutive samples missed the model deadline; the fallback detector is deciding`,
      });
    }
  }

  private emit(d: Decision): void {
    this.stats.decisions++;
    if (d.anomalous) this.stats.anomalies++;
    this.stats.latency.record(d.latencyUs);
    if (this.stats.firstDecisionAt === 0) this.stats.firstDecisionAt = Date.now();
    this.bus.emit('decision', d);
  }

  private startFit(det: AssetDetector): void {
    const p = det
      .fit(this.runner, this.runner.id)
      .then((b) => {
        this.store?.save(b);
        this.log.info(
          { asset: det.asset, samples: b.samples, signals: b.signals, threshold: b.modelThreshold.threshold },
          'baseline learned; detecting',
        );
        this.bus.emit('phase', { asset: det.asset, phase: 'detecting', samples: b.samples });
      })
      .catch((err: unknown) => {
        this.log.error({ err, asset: det.asset }, 'baseline fit failed; relearning');
        this.detectors.delete(det.asset);
      })
      .finally(() => {
        this.fits.delete(p);
        this.maybeIdle();
      });
    this.fits.add(p);
  }

  /** Forgets an asset's baseline so it learns again from the next sample. */
  refit(asset: string): boolean {
    const had = this.detectors.delete(asset);
    this.store?.forget(asset);
    return had;
  }

  phases(): Array<{ asset: string; phase: 'learning' | 'detecting'; samples: number }> {
    return [...this.detectors.values()].map((d) => ({
      asset: d.asset,
      phase: d.phase === 'detecting' ? 'detecting' : 'learning',
      samples: d.learnedSamples,
    }));
  }

  /** Resolves when no sample is pending, in flight or fitting (replay and tests). */
  flush(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return !this.inflight && this.pending.length === 0 && this.fits.size === 0 && !this.scheduled;
  }

  private maybeIdle(): void {
    if (!this.isIdle()) return;
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const r of this.pending) this.spare.push(r);
    this.pending = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.fits]);
    const left = this.inflight;
    if (left) await new Promise<void>((r) => this.idleWaiters.push(r));
  }
}
