/**
 * Evidence and diagnosis of one anomalous decision (split from detector.ts).
 *
 * - Every signal's value against its learned baseline goes into `evidence`
 *   (the alert's table of facts: what moved and what stayed normal).
 * - `diagnosis.signals` lists only the signals that moved: a value, level,
 *   spread or slope at least MOVED_Z learned spreads from normal. A signal that
 *   did not move is never named, even as "the top one".
 * - `diagnosis.driver` says what made the score: a rule (context, season,
 *   range, stuck), a stale signal, a signal that moved, a relation between
 *   signals that broke while each stayed in range (relation.ts), or the joint
 *   state when none of those stands out.
 * - The pattern is classified on the driving signal and kept sticky over the
 *   episode (episode.ts).
 */
import type { Decision, Driver, SignalEvidence } from '../types.js';
import type { Baseline } from './baseline.js';
import { classify } from './diagnosis.js';
import type { DetectorEpisode } from './episode.js';
import { FEATURES_PER_SIGNAL, RING, type SignalState } from './features.js';
import { brokenRelation } from './relation.js';

/** A signal moved when one of its features is at least this many learned spreads from normal. */
export const MOVED_Z = 3;
const FEATURES = ['value', 'level', 'spread', 'slope'] as const;

/** The rule that set the score, when one did (its score beat the model's). */
export interface RuleHit {
  kind: 'context' | 'season' | 'range' | 'stuck';
  signal: number;
}

export interface ExplainInput {
  baseline: Baseline;
  states: readonly SignalState[];
  isStale(signal: number): boolean;
  episode: DetectorEpisode;
}

const recentScratch = new Float64Array(RING);
let zScratch = new Float64Array(16);

/** Fills `d.evidence` and `d.diagnosis`; `z` is the model's standardised feature vector for this row (undefined = fallback). */
export function explainDecision(x: ExplainInput, d: Decision, z: Float32Array | undefined, zOff: number, rule: RuleHit | undefined): void {
  const b = x.baseline;
  const k = x.states.length;
  if (zScratch.length < k) zScratch = new Float64Array(k * 2);
  const ev: Array<SignalEvidence & { weight: number; feature: Driver['feature'] }> = [];
  for (let s = 0; s < k; s++) {
    const st = x.states[s]!;
    const zv = (st.last - b.mean[s]!) / b.spread[s]!;
    zScratch[s] = zv;
    let weight = Math.abs(zv);
    let feature: Driver['feature'] = 'value';
    if (z) {
      for (let f = 0; f < FEATURES_PER_SIGNAL; f++) {
        const a = Math.abs(z[zOff + s * FEATURES_PER_SIGNAL + f]!);
        if (a > weight) {
          weight = a;
          feature = FEATURES[f];
        }
      }
    }
    if (x.isStale(s)) weight = Math.max(weight, MOVED_Z);
    ev.push({
      signal: b.signals[s]!,
      value: st.last,
      baseline: b.mean[s]!,
      spread: b.spread[s]!,
      z: zv,
      ratio: Math.abs(b.mean[s]!) > 1e-9 ? st.last / b.mean[s]! : null,
      weight: Number.isFinite(weight) ? weight : 0,
      feature,
    });
  }
  const order = [...ev.keys()].sort((p, q) => ev[q]!.weight - ev[p]!.weight);
  const moved = order.filter((i) => ev[i]!.weight >= MOVED_Z);
  let driver: Driver;
  let focus: number;
  const stale = order.find((i) => x.isStale(i));
  if (stale !== undefined) {
    driver = { kind: 'stale', signal: b.signals[stale]! };
    focus = stale;
  } else if (rule) {
    driver = { kind: rule.kind, signal: b.signals[rule.signal]! };
    focus = rule.signal;
  } else if (moved.length > 0) {
    const top = ev[moved[0]!]!;
    driver = { kind: 'signal', signal: top.signal, feature: top.feature, z: top.weight };
    focus = moved[0]!;
  } else {
    const br = b.relation ? brokenRelation(b.relation, zScratch) : undefined;
    if (br && Math.abs(br.z) >= MOVED_Z) {
      const s = br.signal;
      driver = {
        kind: 'relation',
        signal: b.signals[s]!,
        partners: br.partners.map((j) => b.signals[j]!),
        expected: b.mean[s]! + br.expectedZ * b.spread[s]!,
        z: br.z,
      };
      focus = s;
    } else {
      driver = { kind: 'joint' };
      focus = order[0]!;
    }
  }
  const st = x.states[focus]!;
  const n = st.recent(recentScratch, RING);
  const raw = classify({ recent: recentScratch, n, baseline: b.mean[focus]!, spread: b.spread[focus]!, stale: x.isStale(focus) });
  // Re-diagnosed only while the signal's value is away from normal: its way back is not new evidence.
  const c = x.episode.settle(raw, Math.abs(ev[focus]!.z) >= MOVED_Z);
  d.evidence = order.map((i) => {
    const { weight: _w, feature: _f, ...e } = ev[i]!;
    return e;
  });
  d.diagnosis = { pattern: c.pattern, signals: moved.map((i) => ev[i]!.signal), confidence: c.confidence, driver };
}
