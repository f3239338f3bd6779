import type { RedNode, StatusSpec } from './red.js';

/**
 * node.status() at most every `everyMs`: a status update is a message to
 * every open editor, too costly per sample. The latest status always wins;
 * the trailing one is shown when the interval ends.
 */
export class StatusThrottle {
  private last = 0;
  private pending: StatusSpec | null = null;
  private timer: NodeJS.Timeout | null = null;
  private shown = '';

  constructor(
    private readonly node: RedNode,
    private readonly everyMs: number,
  ) {}

  set(s: StatusSpec): void {
    const now = Date.now();
    if (now - this.last >= this.everyMs && !this.timer) {
      this.show(s, now);
      return;
    }
    this.pending = s;
    if (!this.timer) {
      this.timer = setTimeout(
        () => {
          this.timer = null;
          if (this.pending) this.show(this.pending, Date.now());
          this.pending = null;
        },
        Math.max(1, this.everyMs - (now - this.last)),
      );
      this.timer.unref();
    }
  }

  private show(s: StatusSpec, now: number): void {
    this.last = now;
    const key = `${s.fill}|${s.shape}|${s.text}`;
    if (key === this.shown) return;
    this.shown = key;
    this.node.status(s);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
  }
}
