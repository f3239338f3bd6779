/**
 * Rate-limited logging per key: the first occurrence logs, later ones within
 * `intervalMs` are only counted and reported with the next line that passes.
 * Keeps a flood of malformed payloads from becoming a flood of log I/O.
 */
export class RateLimitedLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Calls `emit(suppressedSinceLast)` when this key may log now. */
  maybe(key: string, emit: (suppressed: number) => void): void {
    const t = this.now();
    const st = this.last.get(key);
    if (st && t - st.at < this.intervalMs) {
      st.suppressed++;
      return;
    }
    const suppressed = st?.suppressed ?? 0;
    this.last.set(key, { at: t, suppressed: 0 });
    // Bound memory when keys come from untrusted topics.
    if (this.last.size > 1000) this.last.clear();
    emit(suppressed);
  }
}
