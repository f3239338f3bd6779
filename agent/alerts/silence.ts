import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { EventBus } from '../events.js';
import type { StaleInfo } from '../types.js';

/**
 * Silent assets: an asset that has had no decision for longer than its
 * staleness bound (assets.*.stalenessMs) is silent. Each decision marks its
 * asset seen (a map lookup and a number store: cheap enough for the hot
 * path's listener); one timer checks the bounds. A change (silent, resumed)
 * is reported once to the owner, which closes or flags the open alert.
 * After a restart the assets the lifecycle restored are watched from the
 * start time, so an asset that never comes back still goes silent.
 */
export interface SilenceChange {
  asset: string;
  state: 'silent' | 'resumed';
  lastSeen: number;
  silentMs: number;
}

interface Watched {
  lastSeen: number;
  boundMs: number;
  silent: boolean;
}

export class SilenceWatch {
  private readonly assets = new Map<string, Watched>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** The asset's staleness bound, ms. */
    private readonly boundOf: (asset: string) => number,
    private readonly onChange: (c: SilenceChange) => void,
    private readonly now: () => number = Date.now,
    /** Most assets watched; beyond it new assets are not watched (bounded memory against a topic flood). */
    private readonly maxAssets = 10_000,
  ) {}

  /** Called for every decision of an asset. */
  seen(asset: string): void {
    const w = this.assets.get(asset);
    if (w) {
      const t = this.now();
      if (w.silent) {
        w.silent = false;
        this.onChange({ asset, state: 'resumed', lastSeen: w.lastSeen, silentMs: t - w.lastSeen });
      }
      w.lastSeen = t;
      return;
    }
    if (this.assets.size >= this.maxAssets) return;
    this.assets.set(asset, { lastSeen: this.now(), boundMs: this.boundOf(asset), silent: false });
  }

  /** Watches assets known from before a restart, as if seen now. */
  seed(assets: Iterable<string>): void {
    for (const a of assets) if (!this.assets.has(a)) this.seen(a);
  }

  /** Checks every `everyMs` (the smallest bound / 4 is a good value: a silence is noticed within a quarter of its bound). */
  start(everyMs: number): void {
    this.timer ??= setInterval(() => this.check(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Assets silent right now. */
  silentAssets(): string[] {
    const out: string[] = [];
    for (const [a, w] of this.assets) if (w.silent) out.push(a);
    return out;
  }

  /** Marks assets past their bound silent (public for tests and for a check on demand). */
  check(): void {
    const t = this.now();
    for (const [asset, w] of this.assets) {
      if (w.silent || t - w.lastSeen <= w.boundMs) continue;
      w.silent = true;
      this.onChange({ asset, state: 'silent', lastSeen: w.lastSeen, silentMs: t - w.lastSeen });
    }
  }
}

/** The asset's staleness bound (assets.overrides over assets.defaults), ms. */
export function stalenessOf(cfg: Config, asset: string): number {
  return cfg.assets.overrides[asset]?.stalenessMs ?? cfg.assets.defaults.stalenessMs;
}

/** How often to check: a quarter of the smallest bound (between 50 ms and 1 s), so a silence is seen within ~1.25 bounds. */
export function silenceCheckMs(cfg: Config): number {
  const bounds = [cfg.assets.defaults.stalenessMs, ...Object.values(cfg.assets.overrides).map((o) => o.stalenessMs ?? Infinity)];
  return Math.max(50, Math.min(1000, Math.min(...bounds) / 4));
}

/**
 * The alert manager's silence watch: each change is emitted on the bus
 * (`asset` event) and logged once; a silent asset's open alert is closed or
 * flagged as stale through `resolveStale` (alerts.onSilence decides which).
 */
export function watchSilence(
  cfg: Config,
  deps: {
    bus: EventBus;
    log: Logger;
    now: () => number;
    isOpen: (asset: string) => boolean;
    resolveStale: (asset: string, info: StaleInfo) => void;
  },
): SilenceWatch {
  const onChange = (c: SilenceChange): void => {
    deps.bus.emit('asset', c);
    const s = Math.round(c.silentMs / 100) / 10;
    if (c.state === 'resumed') {
      deps.log.info({ asset: c.asset, silentS: s }, `${c.asset} reports again after ${s} s of silence`);
      return;
    }
    const open = deps.isOpen(c.asset);
    const what = !open
      ? 'no open alert'
      : cfg.alerts.onSilence === 'resolve'
        ? 'its open alert is resolved as stale'
        : 'its open alert is flagged stale';
    deps.log.warn(
      { asset: c.asset, silentS: s, lastSeen: new Date(c.lastSeen).toISOString() },
      `${c.asset} is silent (no sample for ${s} s): ${what}`,
    );
    if (open) deps.resolveStale(c.asset, { reason: 'asset_silent', lastSeen: c.lastSeen, silentS: c.silentMs / 1000 });
  };
  return new SilenceWatch((a) => stalenessOf(cfg, a), onChange, deps.now, cfg.assets.maxAssets);
}
