/**
 * Number, duration, name and pattern formatting shared by the template, the
 * slot filler and the verifier. One place so that "within the facts'
 * rounding" means exactly the strings these functions produce.
 */
import type { AlertFacts, Pattern } from '../types.js';

/** Plain-English phrase for each diagnosed pattern (what operators read). */
export const PATTERN_PHRASES: Record<Pattern, string> = {
  spike: 'sudden spike',
  level_shift: 'level shift',
  drift: 'gradual drift',
  variance_change: 'change in variability',
  stuck: 'stuck sensor',
  dropout: 'signal dropout',
  oscillation: 'oscillation',
  unknown: 'unclassified deviation',
};

/**
 * A measured value at 3 significant digits (integers from 100 up), no
 * exponent, no trailing zeros: 7.9, 0.0123, 1234, -2.5.
 */
export function fmtValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 100) return String(Math.round(v));
  if (a === 0) return '0';
  // toPrecision may use an exponent below 1e-6; clamp those to fixed decimals.
  const s = Number(v.toPrecision(3));
  return a < 1e-6 ? s.toFixed(9).replace(/\.?0+$/, '') : String(s);
}

/** A ratio against baseline: "0.072x", "3.1x", "12x". */
export function fmtRatio(r: number): string {
  const a = Math.abs(r);
  if (a >= 10) return `${Math.round(r)}x`;
  // Below 1 keep two significant digits: 0.072x, not a misleading 0.1x.
  if (a < 1 && a > 0) return `${Number(r.toPrecision(2))}x`;
  return `${(Math.round(r * 10) / 10).toFixed(1)}x`;
}

/** A duration in words a person reads at a glance: "40 s", "3 min", "2 h". */
export function fmtDuration(s: number): string {
  const x = Math.max(0, s);
  // Fast signals open alerts within a second: "0.3 s" (one decimal below 10 s).
  if (x < 10) return `${Math.round(x * 10) / 10} s`;
  if (x < 120) return `${Math.round(x)} s`;
  if (x < 7200) return `${Math.round(x / 60)} min`;
  return `${Math.round(x / 3600)} h`;
}

/** "bearing_vibration" → "bearing vibration" (summaries are read, not parsed). */
export function humanName(name: string): string {
  return name.replace(/[_]+/g, ' ').trim();
}

/** "Pump P-101" when a kind is known and the asset id does not already say it. */
export function assetLabel(facts: Pick<AlertFacts, 'asset' | 'assetKind'>): string {
  const kind = facts.assetKind?.trim();
  if (!kind || facts.asset.toLowerCase().includes(kind.toLowerCase())) return facts.asset;
  return `${kind.charAt(0).toUpperCase()}${kind.slice(1)} ${facts.asset}`;
}

/** A unit with its leading space, or nothing when the signal has no unit. */
export function withUnit(value: string, unit: string | undefined): string {
  const u = unit?.trim();
  return u ? `${value} ${u}` : value;
}

/** Join names as English: "a", "a and b", "a, b and c". */
export function joinNames(names: string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
