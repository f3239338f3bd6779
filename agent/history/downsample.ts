/**
 * Per-asset downsampling of raw samples on the hot path: O(1) per sample and
 * no I/O. Each signal accumulates mean/min/max over a fixed time bucket
 * (aligned to multiples of `everyMs` in source time); a bucket is emitted as
 * one point when the first sample of a later bucket arrives, or on drain().
 */
import type { IPoint } from 'influx';
import type { Sample } from '../types.js';
import { M, samplePoint } from './points.js';

interface Acc {
  bucket: number;
  sum: number;
  min: number;
  max: number;
  n: number;
}

export class Downsampler {
  private readonly accs = new Map<string, Map<string, Acc>>();
  private readonly every = new Map<string, number>();

  constructor(
    private readonly defaultEveryMs: number,
    private readonly perAsset: Record<string, { everyMs: number }>,
  ) {}

  private everyFor(asset: string): number {
    let e = this.every.get(asset);
    if (e === undefined) {
      e = this.perAsset[asset]?.everyMs ?? this.defaultEveryMs;
      this.every.set(asset, e);
    }
    return e;
  }

  /** Returns the point to write now (raw or a closed bucket), or undefined while a bucket is filling. */
  add(s: Sample): IPoint | undefined {
    const every = this.everyFor(s.asset);
    if (every <= 0) return samplePoint(s);
    const bucket = Math.floor(s.ts / every) * every;
    let bySignal = this.accs.get(s.asset);
    if (!bySignal) this.accs.set(s.asset, (bySignal = new Map()));
    const a = bySignal.get(s.signal);
    if (!a) {
      bySignal.set(s.signal, { bucket, sum: s.value, min: s.value, max: s.value, n: 1 });
      return undefined;
    }
    if (bucket === a.bucket) {
      a.sum += s.value;
      if (s.value < a.min) a.min = s.value;
      if (s.value > a.max) a.max = s.value;
      a.n++;
      return undefined;
    }
    // A late sample from an earlier bucket falls into the current one rather than reopening history.
    if (bucket < a.bucket) {
      a.sum += s.value;
      a.n++;
      return undefined;
    }
    const out = bucketPoint(s.asset, s.signal, a);
    a.bucket = bucket;
    a.sum = a.min = a.max = s.value;
    a.n = 1;
    return out;
  }

  /** Emits every open bucket (on stop), and forgets them. */
  drain(): IPoint[] {
    const out: IPoint[] = [];
    for (const [asset, bySignal] of this.accs) for (const [signal, a] of bySignal) out.push(bucketPoint(asset, signal, a));
    this.accs.clear();
    return out;
  }
}

function bucketPoint(asset: string, signal: string, a: Acc): IPoint {
  return {
    measurement: M.sample,
    tags: { asset, signal },
    fields: { value: a.sum / a.n, min: a.min, max: a.max, n: a.n },
    timestamp: a.bucket,
  };
}
