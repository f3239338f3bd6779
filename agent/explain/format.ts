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

/** |z| within which a signal counts as inside its learned normal band ("near", "settled", "normal"). */
export const NORMAL_BAND_Z = 3;

/** Group an integer's digits in thousands: 12500000 → "12,500,000". */
function grouped(n: number): string {
  const s = String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${s}` : s;
}

/**
 * A measured value at 3 significant digits (integers from 100 up, grouped in
 * thousands), no exponent, no trailing zeros: 7.9, 0.0123, 1234 → "1,234", -2.5.
 */
export function fmtValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 100) return grouped(Math.round(v));
  if (a === 0) return '0';
  // toPrecision may use an exponent below 1e-6; clamp those to fixed decimals.
  const s = Number(v.toPrecision(3));
  return a < 1e-6 ? s.toFixed(9).replace(/\.?0+$/, '') : String(s);
}

/** A ratio against baseline: "0.072x", "3.1x", "12x", "1,250x". */
export function fmtRatio(r: number): string {
  const a = Math.abs(r);
  if (a >= 10) return `${grouped(Math.round(r))}x`;
  // Below 1 keep two significant digits: 0.072x, not a misleading 0.1x.
  if (a < 1 && a > 0) return `${Number(r.toPrecision(2))}x`;
  return `${(Math.round(r * 10) / 10).toFixed(1)}x`;
}

/**
 * The ratio worth stating, or null: only against a positive baseline and a
 * positive value ("0.34x of -22 Pa" means nothing), and within 0.001x-10,000x.
 */
export function ratioOf(m: { ratio: number | null; value: number; baseline: number }): number | null {
  const r = m.ratio;
  return r !== null && Number.isFinite(r) && m.baseline > 0 && m.value > 0 && r >= 0.001 && r <= 10_000 ? r : null;
}

/** Is a moved signal back inside its normal band (what "near its normal" or "settled" claims)? */
export function inBand(m: { z: number }): boolean {
  return Math.abs(m.z) < NORMAL_BAND_Z;
}

/**
 * A duration in words a person reads at a glance: "under 1 s", "40 s",
 * "1 min 30 s", "25 min", "2 h 5 min", "1 d 3 h". It may start with "under",
 * so sentences say "for <dur>" or "lasted <dur>", never "over the last <dur>".
 */
export function fmtDuration(s: number): string {
  const x = Number.isFinite(s) ? Math.max(0, s) : 0;
  if (x < 1) return 'under 1 s';
  const sec = Math.round(x);
  if (sec < 60) return `${sec} s`;
  if (sec < 600) return sec % 60 ? `${Math.floor(sec / 60)} min ${sec % 60} s` : `${sec / 60} min`;
  const min = Math.round(sec / 60);
  if (min < 60) return `${min} min`;
  if (min < 24 * 60) return min % 60 ? `${Math.floor(min / 60)} h ${min % 60} min` : `${min / 60} h`;
  const h = Math.round(min / 60);
  return h % 24 ? `${Math.floor(h / 24)} d ${h % 24} h` : `${h / 24} d`;
}

/**
 * Upper-case the first letter of a sentence unless the sentence starts with a
 * name (names are never changed: "agv_17" stays "agv_17").
 */
export function sentenceCase(text: string, names: readonly string[]): string {
  if (names.some((n) => n && text.startsWith(n))) return text;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "a, b and c", or "a, b, c and N other signals" past `max` names. */
export function listNames(names: string[], max = 3): string {
  if (names.length <= max) return joinNames(names);
  const rest = names.length - max;
  return joinNames([...names.slice(0, max), `${rest} other signal${rest === 1 ? '' : 's'}`]);
}

/** "1 more signal", "2 more signals". */
export function moreSignals(n: number): string {
  return `${n} more signal${n === 1 ? '' : 's'}`;
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
