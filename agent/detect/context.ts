/**
 * Context novelty (the idea of CAD OSE, NAB's "contextual anomaly detector"):
 * a signal's recent shape, its last CTX_LEN values quantised to CTX_BINS
 * levels of the range seen while learning, is a "context". Learning records
 * every context that occurred. While detecting, a context never seen before
 * is novel (and is then remembered); when many of the last CTX_WINDOW rows
 * brought a novel context, the signal moves in a way it never has, even if
 * every value stays inside its range and the PCA score looks ordinary.
 */

/** Quantisation levels across the learned range (values outside it fall in the edge levels; the range rule covers those). */
const CTX_BINS = 5;
/** Values per context. */
const CTX_LEN = 3;
/** Rows over which novel contexts are counted. */
export const CTX_WINDOW = 10;

/** One signal's learned contexts, as persisted in the baseline. */
export interface ContextState {
  lo: number;
  /** Width of one level (> 0). */
  width: number;
  /** Indices of the contexts seen so far. */
  seen: number[];
}

export class ContextNovelty {
  private readonly seen = new Uint8Array(CTX_BINS ** CTX_LEN);
  private code = 0;
  private n = 0;
  private readonly recent = new Uint8Array(CTX_WINDOW);
  private pos = 0;
  private novel = 0;

  private constructor(
    private readonly lo: number,
    private readonly width: number,
  ) {}

  /** Learns the contexts of a signal's learning values (oldest first); undefined for a constant signal. */
  static learn(values: ArrayLike<number>): ContextNovelty | undefined {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < values.length; i++) {
      lo = Math.min(lo, values[i]!);
      hi = Math.max(hi, values[i]!);
    }
    if (!(hi > lo)) return undefined;
    const c = new ContextNovelty(lo, (hi - lo) / CTX_BINS);
    for (let i = 0; i < values.length; i++) c.push(values[i]!);
    c.recent.fill(0);
    c.novel = 0;
    return c;
  }

  /** Rebuilds from a persisted state (the recent-rows window starts empty). */
  static from(st: ContextState): ContextNovelty {
    const c = new ContextNovelty(st.lo, st.width);
    for (const k of st.seen) if (k >= 0 && k < c.seen.length) c.seen[k] = 1;
    return c;
  }

  get state(): ContextState {
    const seen: number[] = [];
    for (let k = 0; k < this.seen.length; k++) if (this.seen[k]) seen.push(k);
    return { lo: this.lo, width: this.width, seen };
  }

  /** Feeds one value; returns the fraction of the last CTX_WINDOW rows whose context was novel. */
  push(x: number): number {
    const level = Number.isFinite(x) ? Math.max(0, Math.min(CTX_BINS - 1, Math.floor((x - this.lo) / this.width))) : CTX_BINS - 1;
    this.code = (this.code * CTX_BINS + level) % this.seen.length;
    this.n++;
    let isNew = 0;
    if (this.n >= CTX_LEN) {
      isNew = this.seen[this.code] ? 0 : 1;
      this.seen[this.code] = 1;
    }
    this.novel += isNew - this.recent[this.pos]!;
    this.recent[this.pos] = isNew;
    this.pos = (this.pos + 1) % CTX_WINDOW;
    return this.novel / CTX_WINDOW;
  }
}
