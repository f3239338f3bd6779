/**
 * What the window learns about an asset's scans from arrival times alone,
 * for plain-number streams whose messages carry no scan boundary:
 * - the scan period: the mean per-signal inter-arrival time over about the
 *   last MEMORY values (a running mean that becomes an EWMA). A mean over a
 *   long memory, not a median or a short EWMA: at high rates the broker and
 *   the socket deliver ticks in bursts (near-zero gaps, then a long one), and
 *   a few ticks' worth of values can be one burst;
 * - the leader: the signal that starts the asset's ticks. The largest arrival
 *   gap of a scan (counting the gap before its first value) falls before the
 *   first message of a tick; when one signal follows it in at least
 *   LEADER_SHARE of the last VOTES multi-value scans, its arrival starts a new
 *   scan. That realigns a stream that was joined mid-tick, with no timer.
 */
const MEMORY = 512;
const MIN_DTS = 16;
const VOTES = 32;
const LEADER_SHARE = 0.75;

export class ScanLearner {
  private mean = 0;
  private dts = 0;
  private votes = new Uint8Array(4);
  private voted = 0;
  /** The leading signal's index, or -1 while there is none. */
  leader = -1;

  /** One inter-arrival time of one signal, ms (monotonic clock). */
  interval(dt: number): void {
    if (!(dt >= 0)) return;
    this.dts++;
    this.mean += (dt - this.mean) / Math.min(this.dts, MEMORY);
  }

  /** The learned scan period, ms; NaN until MIN_DTS intervals were seen. */
  get period(): number {
    return this.dts >= MIN_DTS ? this.mean : NaN;
  }

  /** A closed scan of `values` values whose largest arrival gap came before signal `after`. */
  scan(values: number, after: number): void {
    if (values < 2 || after < 0) return;
    if (after >= this.votes.length) {
      const v = new Uint8Array(Math.max(after + 1, this.votes.length * 2));
      v.set(this.votes);
      this.votes = v;
    }
    this.votes[after]!++;
    if (++this.voted < VOTES) return;
    let best = -1;
    for (let i = 0; i < this.votes.length; i++) if (this.votes[i]! >= LEADER_SHARE * VOTES) best = i;
    this.leader = best;
    this.votes.fill(0);
    this.voted = 0;
  }
}
