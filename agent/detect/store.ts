import { mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { errMessage } from '../errors.js';
import { HEALTH_REASONS } from '../observe/health-reasons.js';
import type { HealthRegistry } from '../observe/health.js';
import type { Baseline } from './baseline.js';
import { pcaFromJson, pcaToJson } from './fit.js';

/** Options beyond the directory: where to report (the `baselines` component) and how often to retry failed writes. */
export interface BaselineStoreOptions {
  health?: HealthRegistry;
  /** While a write fails, how often to try again, ms. */
  retryMs?: number;
}

/**
 * Baselines on disk, one JSON file per asset, written atomically (temp file +
 * rename) off the hot path. All are read once at start-up, so the hot path
 * never touches the disk.
 *
 * Faults: a damaged file is moved aside (`<asset>.json.corrupt-<time>`) and
 * its asset relearns; a write that fails (full disk, read-only dir) keeps the
 * baseline in memory, is retried every `retryMs` until it lands, and the
 * `baselines` component says so meanwhile. Nothing here throws at the agent.
 */
export class BaselineStore {
  private readonly dir: string;
  private readonly loaded = new Map<string, Baseline>();
  private writes = Promise.resolve();
  /** Learned but not (yet) on disk. */
  private readonly unsaved = new Set<string>();
  /** Assets whose file was damaged at start-up and that have no new baseline on disk yet. */
  private readonly damaged = new Set<string>();
  private retryTimer: NodeJS.Timeout | undefined;
  writeErrors = 0;

  constructor(
    stateDir: string,
    private readonly log: Logger,
    private readonly opts: BaselineStoreOptions = {},
  ) {
    this.dir = join(stateDir, 'baselines');
  }

  start(): void {
    this.opts.health?.register('baselines', `baselines in ${this.dir}`);
    let files: string[];
    try {
      mkdirSync(this.dir, { recursive: true });
      files = readdirSync(this.dir);
    } catch (err) {
      // An unwritable or missing state dir must not stop detection: assets learn and keep their baselines in memory.
      this.writeFailed(err);
      return;
    }
    for (const f of files) {
      if (!f.endsWith('.json')) continue;
      try {
        const o = JSON.parse(readFileSync(join(this.dir, f), 'utf8')) as Omit<Baseline, 'pca'> & { pca: Parameters<typeof pcaFromJson>[0] };
        if (o.v !== 1) continue;
        this.loaded.set(o.asset, { ...o, pca: pcaFromJson(o.pca) });
      } catch (err) {
        this.damagedFile(f, err);
      }
    }
    this.log.info({ dir: this.dir, assets: this.loaded.size }, 'baselines loaded');
  }

  get(asset: string): Baseline | undefined {
    return this.loaded.get(asset);
  }

  /** Every baseline loaded or saved (the hot thread gets them at its start). */
  all(): Baseline[] {
    return [...this.loaded.values()];
  }

  /** Queues an atomic write; never throws (errors are reported, and the write is retried). */
  save(b: Baseline): void {
    this.loaded.set(b.asset, b);
    this.unsaved.add(b.asset);
    this.queueWrite(b.asset);
  }

  /** Drops an asset's baseline (refit): it learns again from its next sample. */
  forget(asset: string): void {
    this.loaded.delete(asset);
    this.unsaved.delete(asset);
    const file = this.fileOf(asset);
    this.writes = this.writes
      .then(() => rm(file, { force: true }))
      .catch((err: unknown) => {
        this.writeErrors++;
        this.log.error({ err, asset }, 'baseline delete failed');
      });
  }

  /** Resolves when queued writes are on disk (or have failed and wait for their retry). */
  flush(): Promise<void> {
    return this.writes;
  }

  /** Stops the retry timer and waits for queued writes. */
  async close(): Promise<void> {
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.retryTimer = undefined;
    await this.writes;
    if (this.unsaved.size > 0)
      this.log.error(
        { assets: [...this.unsaved], dir: this.dir },
        'stopping with baselines not on disk: those assets relearn after a restart',
      );
  }

  private queueWrite(asset: string): void {
    this.writes = this.writes
      .then(async () => {
        const b = this.loaded.get(asset);
        if (!b || !this.unsaved.has(asset)) return;
        const file = this.fileOf(asset);
        await writeFile(file + '.tmp', JSON.stringify({ ...b, pca: pcaToJson(b.pca) }));
        await rename(file + '.tmp', file);
        this.unsaved.delete(asset);
        this.written(asset);
      })
      .catch((err: unknown) => this.writeFailed(err));
  }

  private fileOf(asset: string): string {
    return join(this.dir, `${encodeURIComponent(asset)}.json`);
  }

  private written(asset: string): void {
    if (this.damaged.delete(asset) && this.damaged.size === 0)
      this.opts.health?.clear('baselines', 'damaged', 'damaged baselines relearned');
    if (this.unsaved.size === 0 && this.retryTimer) {
      clearInterval(this.retryTimer);
      this.retryTimer = undefined;
      this.opts.health?.clear('baselines', 'write', `baselines written to ${this.dir}`);
    }
  }

  private writeFailed(err: unknown): void {
    this.writeErrors++;
    const retryMs = this.opts.retryMs ?? 10_000;
    const message = `cannot write baselines in ${this.dir} (${errMessage(err)}); ${this.unsaved.size} kept in memory and retried every ${Math.round(retryMs / 100) / 10} s. What to do: ${HEALTH_REASONS.baseline_write_failed.action}`;
    if (this.opts.health) this.opts.health.set('baselines', 'write', 'degraded', 'baseline_write_failed', message);
    else this.log.error({ dir: this.dir, err: errMessage(err) }, message);
    this.retryTimer ??= setInterval(() => {
      try {
        mkdirSync(this.dir, { recursive: true });
      } catch (mkErr) {
        this.writeFailed(mkErr);
        return;
      }
      for (const a of this.unsaved) this.queueWrite(a);
    }, retryMs);
    this.retryTimer.unref();
  }

  /** A file that does not parse: moved aside so it is not read again, its asset relearns. */
  private damagedFile(f: string, err: unknown): void {
    const file = join(this.dir, f);
    const asset = decodeURIComponent(f.slice(0, -'.json'.length));
    let where: string;
    try {
      const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(file, aside);
      where = `moved to ${aside}`;
    } catch (mvErr) {
      where = `left in place (${errMessage(mvErr)})`;
    }
    this.damaged.add(asset);
    const message = `baseline ${file} is damaged (${errMessage(err)}); ${where}; ${asset} relearns from its next samples. What to do: ${HEALTH_REASONS.baseline_corrupt.action}`;
    if (this.opts.health) this.opts.health.set('baselines', 'damaged', 'degraded', 'baseline_corrupt', message);
    else this.log.error({ file, err: errMessage(err) }, message);
  }
}
