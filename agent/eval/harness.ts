/**
 * The one replay harness: feeds a recording row by row, each row one scan of
 * each asset, through the exact classes the daemon uses (Pipeline →
 * AssetDetector → ModelRunner (ONNX Runtime) → SPOT thresholds → diagnosis),
 * with no MQTT. A row's values arrive together, as one multi-signal message
 * would (one arrival time, then endScan), and the next row is fed only after
 * the row is decided (`await pipeline.flush()`): a detector never sees a
 * value before its time, and nothing looks at the whole file.
 *
 * Used by agent/eval/replay.ts (the NAB, SKAB and diagnosis benches) and
 * agent/report/driver.ts (the HTML replay report).
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { AssetDetector, DETECTOR_PROFILES, type DetectorOptions } from '../detect/detector.js';
import type { ModelRunner } from '../detect/model.js';
import { EventBus } from '../events.js';
import { AgentStats } from '../observe/stats.js';
import { Pipeline } from '../pipeline.js';

/** One asset of a recording: one value array per signal, row for row with the recording's timestamps. */
export interface ReplayAsset {
  asset: string;
  signals: Record<string, ArrayLike<number>>;
}

/** Called around each row: `ts` is the row's timestamp as fed (nudged to be strictly increasing). */
export interface RowHooks {
  before?(row: number, ts: number): void;
  after?(row: number, ts: number): void;
}

/**
 * `config` with every asset learning for `learnRows` scans (at least the
 * schema's 20) and no clock-skew bound: a recording's timestamps are its own,
 * and may lie in this box's future.
 */
export function replayConfig(config: Config, learnRows: number, assets: string[] = []): Config {
  const learn = { learnSamples: Math.max(20, learnRows), learnSeconds: 0, clockSkewMs: Infinity };
  const overrides = { ...config.assets.overrides };
  for (const a of assets) if (overrides[a]) overrides[a] = { ...overrides[a], ...learn };
  return { ...config, assets: { ...config.assets, defaults: { ...config.assets.defaults, ...learn }, overrides } };
}

export class ReplayHarness {
  readonly bus: EventBus;
  readonly stats = new AgentStats();
  readonly pipeline: Pipeline;

  constructor(
    private readonly config: Config,
    runner: ModelRunner,
    log: Logger,
  ) {
    this.bus = new EventBus(log);
    this.pipeline = new Pipeline(config, runner, undefined, this.bus, this.stats, log);
  }

  /** Gives one asset its own detector options: the configured episode profile with `opts` on top (benchmarks). */
  useDetector(asset: string, opts: Partial<DetectorOptions>): void {
    const profile = DETECTOR_PROFILES[this.config.detect.episode];
    const det = new AssetDetector(
      asset,
      this.pipeline.tuning(asset),
      this.config.detect.riskQ,
      { ...profile, ...opts },
      this.config.alerts,
    );
    this.pipeline.detectors.set(asset, det);
  }

  /** Feeds every row (see the file comment). Throws if a signal's values do not match the timestamps. */
  async run(ts: ArrayLike<number>, assets: ReplayAsset[], hooks: RowHooks = {}): Promise<void> {
    const n = ts.length;
    const feeds = assets.map((a) => {
      const names = Object.keys(a.signals);
      const cols = names.map((s) => a.signals[s]!);
      for (const [i, c] of cols.entries()) {
        if (c.length !== n) throw new RangeError(`signal ${names[i]} has ${c.length} values for ${n} timestamps`);
      }
      return { asset: a.asset, names, cols };
    });
    let prevTs = -Infinity;
    for (let r = 0; r < n; r++) {
      // The window rejects repeated or backward timestamps (NAB has both); keep row order, nudge by 1 ms.
      const t = Math.max(ts[r]!, prevTs + 1);
      prevTs = t;
      hooks.before?.(r, t);
      for (const f of feeds) {
        const at = performance.now();
        for (let s = 0; s < f.cols.length; s++) this.pipeline.ingest(f.asset, f.names[s]!, f.cols[s]![r]!, t, at);
        this.pipeline.endScan(f.asset, at);
      }
      await this.pipeline.flush();
      hooks.after?.(r, t);
    }
  }

  async stop(): Promise<void> {
    await this.pipeline.stop();
  }
}
