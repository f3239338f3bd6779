import type { Logger } from 'pino';
import type { DecisionHook } from './alerts/trips.js';
import type { Config } from './config/schema.js';
import type { AssetTuning } from './config/sections/detect.js';
import { AssetDetector, DETECTOR_PROFILES } from './detect/detector.js';
import type { BatchResult, ModelRunner } from './detect/model.js';
import type { BaselineStore } from './detect/store.js';
import type { EventBus } from './events.js';
import { ModelBatch, type Row, type RowSink } from './hot/batch.js';
import type { AgentStats } from './observe/stats.js';
import type { Decision } from './types.js';
import type { ScanClose } from './window/aligner.js';

/** Where decoded values go: the hot entry points (the MQTT source, replays and the Node-RED score node call them). */
export interface ScanSink {
  /** One decoded value. `arrivedAt`: monotonic arrival time of its message (performance.now()). */
  ingest(asset: string, signal: string, value: number, ts: number, arrivedAt: number): void;
  /** The values of `asset` since its last scan closed are one scan (the end of a multi-signal message). */
  endScan(asset: string, arrivedAt: number): void;
}

/** What the pipeline calls besides the bus. */
export interface PipelineHooks {
  /** Runs on every decision before its latency is taken (local-action trips). */
  trips?: DecisionHook | undefined;
  /**
   * Receives every accepted value instead of the bus's `sample` event (the hot thread forwards them in
   * batches without an object per value).
   */
  samples?: ((asset: string, signal: string, value: number, ts: number) => void) | undefined;
}

/**
 * The hot path: window (scan assembly) → features → (learning | model batch)
 * → decision, one decision per asset scan (docs/architecture.md, "Scans" and
 * "Deadline"). The deadline runs from the close of a scan; the model step and
 * its watchdog are in hot/batch.ts. Nothing here does disk or network I/O
 * (a trip hands its command to the MQTT client, which queues the write).
 */
export class Pipeline implements ScanSink, RowSink {
  readonly detectors = new Map<string, AssetDetector>();
  private readonly batch: ModelBatch;
  private scanTimer: NodeJS.Timeout | undefined;
  private scanTimerAt = Infinity;
  private missStreak = 0;
  private healthBad = false;
  private readonly fits = new Set<Promise<unknown>>();
  private idleWaiters: Array<() => void> = [];
  private stopped = false;

  constructor(
    private readonly cfg: Config,
    private readonly runner: ModelRunner,
    private readonly store: Pick<BaselineStore, 'get' | 'save' | 'forget'> | undefined,
    private readonly bus: EventBus,
    private readonly stats: AgentStats,
    private readonly log: Logger,
    private readonly hooks: PipelineHooks = {},
  ) {
    this.batch = new ModelBatch(runner, stats, log, this);
  }

  tuning(asset: string): AssetTuning {
    const o = this.cfg.assets.overrides[asset];
    return o ? { ...this.cfg.assets.defaults, ...o } : this.cfg.assets.defaults;
  }

  /** The hot entry point, called once per decoded value. Never throws. */
  ingest(asset: string, signal: string, value: number, ts: number, arrivedAt: number): void {
    const det = this.detectors.get(asset) ?? this.create(asset);
    if (!det) return;
    const w = det.window;
    const i = w.accept(signal, value, ts, Date.now());
    if (typeof i === 'string') {
      this.stats.rejected[i]++;
      return;
    }
    if (w.scanOpen) {
      // A value past the close timer starts the next scan (the open one closed when its timer ran out, not
      // now); so does a signal that sends again, and the signal that leads the asset's ticks.
      if (arrivedAt >= w.closeAt) this.close(det, w.closeAt, 'timer');
      else if (w.fresh[i] === 1) this.close(det, arrivedAt, 'repeat');
      else if (i === w.leader) this.close(det, arrivedAt, 'leader');
    }
    w.add(i, value, ts, arrivedAt);
    if (this.hooks.samples) this.hooks.samples(asset, signal, value, ts);
    else if (this.bus.has('sample')) this.bus.emit('sample', { asset, signal, value, ts });
    if (w.complete) this.close(det, arrivedAt, 'complete');
    else this.armScanTimer(w.closeAt);
  }

  /** Closes the asset's open scan (a multi-signal message ended). */
  endScan(asset: string, arrivedAt: number = performance.now()): void {
    const det = this.detectors.get(asset);
    if (det?.window.scanOpen) this.close(det, arrivedAt, 'message');
  }

  /** Number of the scan the asset's last accepted value joined (0 = none yet): the Node-RED node maps messages to decisions with it. */
  joinedScan(asset: string): number {
    return this.detectors.get(asset)?.window.joined ?? 0;
  }

  private create(asset: string): AssetDetector | undefined {
    // A flood of bogus topics must not exhaust memory: past assets.maxAssets a new asset is refused and counted.
    if (this.detectors.size >= this.cfg.assets.maxAssets) {
      this.stats.rejected.assetLimit++;
      return undefined;
    }
    // The detector mirrors the alert lifecycle's resolution rule (agent/detect/episode.ts).
    const det = new AssetDetector(
      asset,
      this.tuning(asset),
      this.cfg.detect.riskQ,
      DETECTOR_PROFILES[this.cfg.detect.episode],
      this.cfg.alerts,
    );
    det.window.maxSignals = this.cfg.assets.maxSignals;
    const saved = this.store?.get(asset);
    if (saved && saved.model === this.runner.id) det.restore(saved);
    this.detectors.set(asset, det);
    return det;
  }

  /** Closes a scan at `closedAt` (monotonic ms; the deadline counts from here) and decides it. */
  private close(det: AssetDetector, closedAt: number, why: ScanClose): void {
    const w = det.window;
    this.stats.scans[why]++;
    const firstAt = w.firstAt;
    const ts = w.scanTs;
    const scan = w.seq + 1;
    det.scan();
    w.endScan();
    if (det.phase !== 'detecting') {
      if (det.phase === 'learning' && det.learn(ts)) this.startFit(det);
      this.finish(
        {
          asset: det.asset,
          ts,
          scan,
          phase: 'learning',
          score: 0,
          threshold: 0,
          anomalous: false,
          source: 'fallback',
          latencyUs: 0,
          scanUs: 0,
          deadlineMissed: false,
        },
        0,
        closedAt,
        firstAt,
      );
      return;
    }
    const row = this.batch.take(det);
    row.fb = det.fallbackScore();
    row.ts = ts;
    row.scan = scan;
    row.firstAt = firstAt;
    row.closedAt = closedAt;
    row.deadlineAt = closedAt + det.tuning.deadlineMs;
    this.batch.submit(row, det.tuning.deadlineMs);
  }

  /** RowSink: a detecting-phase scan decided by the model or the fallback. */
  decide(r: Row, source: 'model' | 'fallback', missed: boolean, res: BatchResult | undefined, b: number, now: number): void {
    if (source === 'model') this.countMiss(false);
    else if (missed) this.countMiss(true);
    const raw = res ? res.scores[b]! : r.fb;
    const d = r.det.decide(raw, source, r.ts, 0, missed, res?.z, res ? b * res.fmax : 0, now);
    d.scan = r.scan;
    this.finish(d, r.fb, r.closedAt, r.firstAt);
  }

  /** Trips first (their command is part of the decision's deadline), then latency, counters and the bus. */
  private finish(d: Decision, zMax: number, closedAt: number, firstAt: number): void {
    this.hooks.trips?.onDecision(d, zMax);
    const now = performance.now();
    d.latencyUs = (now - closedAt) * 1000;
    d.scanUs = (now - firstAt) * 1000;
    this.stats.decisions++;
    if (d.anomalous) this.stats.anomalies++;
    this.stats.latency.record(d.latencyUs);
    this.stats.scanLatency.record(d.scanUs);
    if (this.stats.firstDecisionAt === 0) this.stats.firstDecisionAt = Date.now();
    this.bus.emit('decision', d);
  }

  /**
   * One close timer for the earliest open scan that is not complete. It is
   * not cleared when scans complete by themselves: it fires, finds nothing
   * due, and re-arms for the next open scan (cheaper than re-arming per scan).
   */
  private armScanTimer(at: number): void {
    if (at >= this.scanTimerAt || this.stopped) return;
    if (this.scanTimer) clearTimeout(this.scanTimer);
    this.scanTimerAt = at;
    this.scanTimer = setTimeout(this.onScanTimer, Math.max(1, Math.ceil(at - performance.now())));
    this.scanTimer.unref();
  }

  private readonly onScanTimer = (): void => {
    this.scanTimer = undefined;
    this.scanTimerAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const det of this.detectors.values()) {
      const w = det.window;
      if (!w.scanOpen) continue;
      const at = w.closeAt;
      if (at <= now) this.close(det, at, 'timer');
      else if (at < next) next = at;
    }
    if (next < Infinity) this.armScanTimer(next);
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
        message: `${this.missStreak} consecutive scans missed the model deadline; the fallback detector is deciding`,
      });
    }
  }

  private startFit(det: AssetDetector): void {
    const p = det
      .fit(this.runner, this.runner.id)
      .then((b) => {
        this.store?.save(b);
        this.log.info(
          { asset: det.asset, scans: b.samples, signals: b.signals, threshold: b.modelThreshold.threshold },
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
        this.idle();
      });
    this.fits.add(p);
  }

  /** Forgets an asset's baseline so it learns again from the next value (its open scan is dropped). */
  refit(asset: string): boolean {
    const had = this.detectors.delete(asset);
    this.store?.forget(asset);
    return had;
  }

  /** Each asset's phase and learning progress (scans). */
  phases(): Array<{ asset: string; phase: 'learning' | 'detecting'; samples: number }> {
    return [...this.detectors.values()].map((d) => ({
      asset: d.asset,
      phase: d.phase === 'detecting' ? 'detecting' : 'learning',
      samples: d.learnedSamples,
    }));
  }

  /**
   * Resolves when no closed scan is waiting for the model and no fit runs
   * (replay and tests). Open scans stay open: end them with endScan().
   */
  flush(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.batch.isIdle && this.fits.size === 0;
  }

  /** RowSink: the batcher has nothing queued or in flight. */
  idle(): void {
    if (!this.isIdle()) return;
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.scanTimer) clearTimeout(this.scanTimer);
    this.scanTimer = undefined;
    await Promise.allSettled([...this.fits]);
    await this.batch.stop();
  }
}
