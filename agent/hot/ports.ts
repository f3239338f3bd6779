/**
 * What leaves the hot thread for the main thread, batched and bounded
 * (docs/architecture.md, "Hot thread"): decisions (the cold path's input)
 * and raw samples (local history only). One postMessage per event-loop turn
 * at most; when the main thread falls behind by more than a bound, the hot
 * thread sheds (normal decisions first, never an anomalous one; samples
 * before decisions) and counts what it shed: it never waits for the cold path.
 */
import type { MessagePort } from 'node:worker_threads';
import type { AgentStats } from '../observe/stats.js';
import type { Decision } from '../types.js';
import type { FromHot, SampleBatch } from './protocol.js';

/** Decisions posted but not yet handled by the main thread beyond which normal ones are shed. */
export const DECISION_BACKLOG = 50_000;
/** Samples per posted batch, and batches in flight beyond which samples are shed. */
const SAMPLES_PER_BATCH = 4096;
const SAMPLE_BACKLOG = 100_000;
/** Longest a sample waits for its batch to be posted, ms (history is not urgent; fewer, larger messages). */
const SAMPLE_FLUSH_MS = 100;

type Post = (m: FromHot, transfer?: ArrayBuffer[]) => void;

export function poster(port: MessagePort): Post {
  return (m, transfer) => port.postMessage(m, transfer);
}

export class DecisionPort {
  private batch: Decision[] = [];
  private scheduled = false;
  private posted = 0;

  constructor(
    private readonly post: Post,
    private readonly stats: AgentStats,
  ) {}

  push(d: Decision): void {
    if (!d.anomalous && this.posted + this.batch.length - this.stats.decisionsConsumed > DECISION_BACKLOG) {
      this.stats.decisionsShed++;
      return;
    }
    this.batch.push(d);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  readonly flush = (): void => {
    this.scheduled = false;
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    this.posted += batch.length;
    this.post({ type: 'decisions', batch });
  };
}

export class SampleForwarder {
  private readonly assets = new Map<string, number>();
  private readonly signals = new Map<string, number>();
  private newAssets: Array<[number, string]> = [];
  private newSignals: Array<[number, string]> = [];
  private data = new Float64Array(SAMPLES_PER_BATCH * 4);
  private count = 0;
  private posted = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly post: Post,
    private readonly stats: AgentStats,
  ) {}

  push(asset: string, signal: string, value: number, ts: number): void {
    if (this.posted + this.count - this.stats.samplesConsumed >= SAMPLE_BACKLOG) {
      this.stats.samplesShed++;
      return;
    }
    const o = this.count * 4;
    this.data[o] = this.index(this.assets, this.newAssets, asset);
    this.data[o + 1] = this.index(this.signals, this.newSignals, signal);
    this.data[o + 2] = value;
    this.data[o + 3] = ts;
    if (++this.count === SAMPLES_PER_BATCH) this.flush();
    else if (!this.timer) this.timer = setTimeout(this.flush, SAMPLE_FLUSH_MS);
  }

  private index(map: Map<string, number>, added: Array<[number, string]>, name: string): number {
    let i = map.get(name);
    if (i === undefined) {
      i = map.size;
      map.set(name, i);
      added.push([i, name]);
    }
    return i;
  }

  readonly flush = (): void => {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.count === 0) return;
    const m: SampleBatch = { type: 'samples', data: this.data, count: this.count, assets: this.newAssets, signals: this.newSignals };
    this.posted += this.count;
    this.post(m, [this.data.buffer as ArrayBuffer]);
    // The buffer went to the main thread: a new one per batch (one allocation per 4096 samples).
    this.data = new Float64Array(SAMPLES_PER_BATCH * 4);
    this.count = 0;
    this.newAssets = [];
    this.newSignals = [];
  };
}
