/**
 * The detector's view of an alert episode (issue #13): open from the first
 * anomalous decision until `resolveAfter` consecutive decisions below
 * threshold × deadband — the alert lifecycle's own resolution rule
 * (agent/alerts/lifecycle.ts, alerts.resolveAfter/deadband), so the episode
 * covers every open alert of the asset. The detector decides on the hot
 * thread; mirroring the rule here needs no round trip to the main thread and
 * is exact in replays.
 *
 * While an episode is open:
 * - adaptation is frozen (the baseline and the threshold's tail do not learn the fault);
 * - the diagnosis pattern is sticky. Until the alert opens (`openAfter` anomalous decisions) it follows
 *   each decision's classification. After that, a new pattern replaces the episode's one only when it
 *   is a fact (dropout, stuck), or when it has been the classification of `SWITCH_AFTER` consecutive
 *   anomalous decisions while the signal is away from normal, and holds `SWITCH_RATIO` times the
 *   incumbent's (decaying) votes. A lone flicker between level shift, oscillation and variance change
 *   is not a material change of evidence, and neither is the signal's way back to normal (the episode
 *   stays open while the features settle; the return is not re-diagnosed).
 */
import type { Pattern } from '../types.js';

/** The alert lifecycle's resolution rule, as configured (alerts.resolveAfter, alerts.deadband). */
export interface EpisodeBounds {
  openAfter: number;
  resolveAfter: number;
  deadband: number;
}

/** The schema's defaults (agent/config/sections/alerts.ts). */
export const DEFAULT_EPISODE_BOUNDS: EpisodeBounds = { openAfter: 3, resolveAfter: 20, deadband: 0.9 };

/** Consecutive anomalous decisions a new pattern needs before it replaces the episode's (diagnosis bench, seed 1). */
export const SWITCH_AFTER = 8;
/** ... and its share of the votes against the incumbent's. */
export const SWITCH_RATIO = 1.5;
/** Per anomalous decision, older votes fade by this factor (a long episode can still change its mind). */
const VOTE_DECAY = 0.97;
/** Patterns that are facts about the signal, not shapes: naming them is always a material change. */
const FACTS: ReadonlySet<Pattern> = new Set<Pattern>(['dropout', 'stuck']);

export class DetectorEpisode {
  open = false;
  /** Decisions since the last episode closed (or since detection began): the quiet period. */
  quietFor = 0;
  private calm = 0;
  private anomalies = 0;
  private pattern: Pattern | undefined;
  private confidence = 0;
  private challenger: Pattern | undefined;
  private streak = 0;
  private readonly votes = new Map<Pattern, number>();

  constructor(private readonly bounds: EpisodeBounds = DEFAULT_EPISODE_BOUNDS) {}

  /** Follows one decision (after its score is final). */
  step(score: number, threshold: number, anomalous: boolean): void {
    if (anomalous) {
      if (!this.open) {
        this.open = true;
        this.anomalies = 0;
        this.pattern = undefined;
        this.challenger = undefined;
        this.streak = 0;
        this.votes.clear();
      }
      this.calm = 0;
      this.quietFor = 0;
      this.anomalies++;
      return;
    }
    if (!this.open) {
      this.quietFor++;
      return;
    }
    if (score < threshold * this.bounds.deadband) this.calm++;
    else this.calm = 0;
    if (this.calm >= this.bounds.resolveAfter) {
      this.open = false;
      this.calm = 0;
      this.quietFor = 0;
    }
  }

  /**
   * The episode's pattern after this anomalous decision's own classification `raw` (call once per
   * anomalous decision, after step()); `away`: the classified signal is now away from its normal.
   */
  settle(raw: { pattern: Pattern; confidence: number }, away: boolean): { pattern: Pattern; confidence: number } {
    const early = this.anomalies <= this.bounds.openAfter;
    if (this.pattern !== undefined && !away && !early && !FACTS.has(raw.pattern))
      return { pattern: this.pattern, confidence: this.confidence };
    for (const [p, v] of this.votes) this.votes.set(p, v * VOTE_DECAY);
    this.votes.set(raw.pattern, (this.votes.get(raw.pattern) ?? 0) + 1);
    if (early || this.pattern === undefined || this.pattern === 'unknown' || raw.pattern === this.pattern || FACTS.has(raw.pattern)) {
      if (raw.pattern !== this.pattern) this.confidence = raw.confidence;
      else this.confidence = Math.max(this.confidence * VOTE_DECAY, raw.confidence);
      this.pattern = raw.pattern;
      this.challenger = undefined;
      this.streak = 0;
      return { pattern: this.pattern, confidence: this.confidence };
    }
    if (raw.pattern === this.challenger) this.streak++;
    else {
      this.challenger = raw.pattern;
      this.streak = 1;
    }
    const mine = this.votes.get(this.pattern) ?? 0;
    if (this.streak >= SWITCH_AFTER && (this.votes.get(raw.pattern) ?? 0) >= SWITCH_RATIO * mine) {
      this.pattern = raw.pattern;
      this.confidence = raw.confidence;
      this.challenger = undefined;
      this.streak = 0;
    }
    return { pattern: this.pattern, confidence: this.confidence };
  }
}
