import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { EdgeError } from '../errors.js';
import type { Baseline } from './baseline.js';
import { pcaFromJson, pcaToJson } from './fit.js';

/**
 * Baselines on disk, one JSON file per asset, written atomically (temp file +
 * rename) off the hot path. All are read once at start-up, so the hot path
 * never touches the disk.
 */
export class BaselineStore {
  private readonly dir: string;
  private readonly loaded = new Map<string, Baseline>();
  private writes = Promise.resolve();
  writeErrors = 0;

  constructor(
    stateDir: string,
    private readonly log: Logger,
  ) {
    this.dir = join(stateDir, 'baselines');
  }

  start(): void {
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch (err) {
      throw new EdgeError('E_STATE', `cannot create state directory ${this.dir}: ${(err as NodeJS.ErrnoException).code}`);
    }
    for (const f of readdirSync(this.dir)) {
      if (!f.endsWith('.json')) continue;
      try {
        const o = JSON.parse(readFileSync(join(this.dir, f), 'utf8')) as Omit<Baseline, 'pca'> & { pca: Parameters<typeof pcaFromJson>[0] };
        if (o.v !== 1) continue;
        this.loaded.set(o.asset, { ...o, pca: pcaFromJson(o.pca) });
      } catch (err) {
        // A damaged baseline is not fatal: that asset relearns. Say so.
        this.log.warn({ file: f, err: (err as Error).message }, 'baseline file unreadable; asset will relearn');
      }
    }
    this.log.info({ dir: this.dir, assets: this.loaded.size }, 'baselines loaded');
  }

  get(asset: string): Baseline | undefined {
    return this.loaded.get(asset);
  }

  /** Queues an atomic write; never throws (errors are logged and counted). */
  save(b: Baseline): void {
    this.loaded.set(b.asset, b);
    const text = JSON.stringify({ ...b, pca: pcaToJson(b.pca) });
    const file = join(this.dir, `${encodeURIComponent(b.asset)}.json`);
    this.writes = this.writes
      .then(async () => {
        await writeFile(file + '.tmp', text);
        await rename(file + '.tmp', file);
      })
      .catch((err: unknown) => {
        this.writeErrors++;
        this.log.error({ err, asset: b.asset }, 'baseline write failed');
      });
  }

  /** Drops an asset's baseline (refit): it learns again from its next sample. */
  forget(asset: string): void {
    this.loaded.delete(asset);
    const file = join(this.dir, `${encodeURIComponent(asset)}.json`);
    this.writes = this.writes
      .then(() => rm(file, { force: true }))
      .catch((err: unknown) => {
        this.writeErrors++;
        this.log.error({ err, asset }, 'baseline delete failed');
      });
  }

  /** Resolves when queued writes are on disk. */
  flush(): Promise<void> {
    return this.writes;
  }
}
