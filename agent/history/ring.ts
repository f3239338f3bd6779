/**
 * A fixed-capacity FIFO of points between the hot path and the writer. push()
 * is O(1) and never allocates beyond the capacity, so a slow or absent
 * InfluxDB costs bounded memory: when full, the overflow policy decides which
 * point is shed, and the caller counts it.
 */
export type OverflowPolicy = 'drop-oldest' | 'drop-newest';

export class BoundedRing<T> {
  private readonly items: Array<T | undefined>;
  private head = 0;
  private len = 0;

  constructor(
    readonly capacity: number,
    readonly policy: OverflowPolicy,
  ) {
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.len;
  }

  /** Adds one item; returns how many items were dropped (0 or 1). */
  push(item: T): number {
    if (this.len < this.capacity) {
      this.items[(this.head + this.len) % this.capacity] = item;
      this.len++;
      return 0;
    }
    if (this.policy === 'drop-newest') return 1;
    // drop-oldest: overwrite the head and advance it.
    this.items[this.head] = item;
    this.head = (this.head + 1) % this.capacity;
    return 1;
  }

  /** Removes and returns up to n items, oldest first. */
  take(n: number): T[] {
    const k = Math.min(n, this.len);
    const out: T[] = new Array<T>(k);
    for (let i = 0; i < k; i++) {
      const j = (this.head + i) % this.capacity;
      out[i] = this.items[j] as T;
      this.items[j] = undefined;
    }
    this.head = (this.head + k) % this.capacity;
    this.len -= k;
    return out;
  }

  /**
   * Returns a batch that failed to write to the front (it is older than
   * everything buffered). Only what fits goes back: under drop-oldest the
   * oldest of the batch are shed, under drop-newest its newest are. Returns
   * how many were dropped.
   */
  putBack(batch: T[]): number {
    const free = this.capacity - this.len;
    const keep = Math.min(free, batch.length);
    const kept = this.policy === 'drop-oldest' ? batch.slice(batch.length - keep) : batch.slice(0, keep);
    for (let i = kept.length - 1; i >= 0; i--) {
      this.head = (this.head - 1 + this.capacity) % this.capacity;
      this.items[this.head] = kept[i];
      this.len++;
    }
    return batch.length - keep;
  }
}
