/**
 * A terminal progress bar on stderr for long replays. On a TTY it redraws one
 * line at most every 100 ms; elsewhere (CI logs, pipes) it stays silent until
 * done(), so logs do not fill with carriage returns.
 */
export class ProgressBar {
  private last = 0;
  private readonly t0 = Date.now();
  private drawn = false;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly now: () => number = Date.now,
  ) {}

  update(done: number): void {
    if (!this.out.isTTY) return;
    const t = this.now();
    if (t - this.last < 100 && done < this.total) return;
    this.last = t;
    const cols = Math.max(20, Math.min(40, (this.out.columns ?? 80) - 50));
    const f = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const fill = Math.round(f * cols);
    const rate = done / Math.max(0.001, (t - this.t0) / 1000);
    const eta = rate > 0 ? Math.round((this.total - done) / rate) : 0;
    this.out.write(
      `\r${this.label} [${'#'.repeat(fill)}${'.'.repeat(cols - fill)}] ${(f * 100).toFixed(0).padStart(3)}% ${done}/${this.total} rows, ${Math.round(rate)}/s, ETA ${eta}s \x1b[K`,
    );
    this.drawn = true;
  }

  /** Clears the bar (TTY) so the summary line starts clean. */
  done(): void {
    if (this.drawn) this.out.write('\r\x1b[K');
  }
}
