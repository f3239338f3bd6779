/**
 * The held-out alert facts for bench:lm --rubric and the verifier's property
 * tests. Separate from the training corpus (models/lm/gen_corpus.py, which has
 * no names or numbers at all) and from the test fixtures: its own asset kinds
 * and names in German, French and Spanish, snake_case with digits, very long
 * names, names that are numbers ("7"), contain pattern words (flow_variance)
 * or share a prefix (temp / temp_2); units °F, K, kPa, psi, ppm, mV, t/h and
 * none; negative, near-zero, huge (12,500,000) and tiny (0.0031) values,
 * ratios from 0.0037x to 125x; every pattern, state and severity, stale alerts.
 * Seeded (mulberry32), so every run benches the same set.
 */
import type { AlertFacts, Pattern, Severity } from '../../../agent/types.js';

type Sig = [name: string, unit: string, base: number];
const KINDS: Array<{ kind: string | undefined; assets: string[]; signals: Sig[] }> = [
  {
    kind: 'Pumpe',
    assets: ['Kühlwasserpumpe_3', 'P7', '7'],
    signals: [
      ['Durchfluss', 't/h', 120],
      ['Saugdruck', 'kPa', 95],
      ['Lagertemperatur', '°F', 140],
      ['flow_variance', '', 0.02],
    ],
  },
  {
    kind: 'compresseur',
    assets: ['compresseur_nord_2', 'CP-12'],
    signals: [
      ['pression_refoulement', 'psi', 110],
      ['température_huile', 'K', 330],
      ['stuck_count', '', 4],
    ],
  },
  {
    kind: 'bomba',
    assets: ['bomba_de_agua_caliente_linea_4_sector_sur', 'agv_17'],
    signals: [
      ['presión_de_descarga_de_la_bomba_principal', 'kPa', 420],
      ['caudal', 't/h', 12_500_000],
      ['temp', '°F', 98],
      ['temp_2', '°F', 102],
    ],
  },
  {
    kind: undefined,
    assets: ['7', 'line2_mixer', 'Ofen 3'],
    signals: [
      ['co2_ppm', 'ppm', 410],
      ['sensor_mV', 'mV', 0.0031],
      ['Differenzdruck', 'kPa', -22],
      ['level', '', 55],
      ['spike_rate', '', 3],
    ],
  },
];
const PATTERNS: Pattern[] = ['spike', 'level_shift', 'drift', 'variance_change', 'stuck', 'dropout', 'oscillation', 'unknown'];
const SEVERITIES: Severity[] = ['info', 'warning', 'critical'];
const RATIOS = [125, 0.0037, 3.1, 0.42, 1.6, 12, 0.08];

/** mulberry32 so the held-out set is the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n held-out alert facts from a seed. */
export function heldOutFacts(n: number, seed = 2026): AlertFacts[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const out: AlertFacts[] = [];
  for (let i = 0; i < n; i++) {
    const k = pick(KINDS);
    const sigs = [...k.signals].sort(() => r() - 0.5);
    const nMoved = Math.min(sigs.length, pick([0, 1, 1, 1, 2, 2, 3, 4]));
    const state = pick(['open', 'open', 'update', 'update', 'resolved'] as const);
    const moved = sigs.slice(0, nMoved).map(([name, unit, base]) => {
      const up = r() < 0.55;
      const baseline = base * (0.8 + r() * 0.4);
      const factor = pick(RATIOS);
      // The value moves the way the direction says, also against a negative baseline.
      const f = up === baseline >= 0 ? Math.max(factor, 1 / factor) : Math.min(factor, 1 / factor);
      // Resolved alerts close with their top signal sometimes still 3.8-5.1 sd off, sometimes back in band.
      const settled = state === 'resolved' && r() < 0.5;
      const mag = settled ? r() * 2.9 : state === 'resolved' ? 3.8 + r() * 1.3 : 3 + r() * 12;
      // Near zero: a positive signal falling to 0.0004, or a negative one rising to -0.0004.
      const nearZero = r() < 0.1 && up !== baseline > 0;
      const value = settled ? baseline + Math.abs(baseline) * (up ? 0.02 : -0.02) : nearZero ? Math.sign(baseline) * 0.0004 : baseline * f;
      const ratio = r() < 0.15 ? null : value / baseline;
      return { name, unit, value, baseline, ratio, z: (up ? 1 : -1) * mag, direction: up ? ('up' as const) : ('down' as const) };
    });
    const stale =
      r() < 0.06 ? { reason: pick(['asset_silent', 'node_death'] as const), lastSeen: 0, silentS: Math.round(r() * 900) } : undefined;
    out.push({
      asset: pick(k.assets),
      assetKind: k.kind,
      site: 'heldout',
      state: stale ? pick(['update', 'resolved'] as const) : state,
      severity: pick(SEVERITIES),
      pattern: pick(PATTERNS),
      durationS: pick([0, 0.4, 7, 59.6, 90, 120, 600, 7200, 7500, 90_000, Math.round(r() * r() * 20_000)]),
      moved,
      steady: sigs.slice(nMoved, nMoved + Math.floor(r() * 4)).map(([name]) => name),
      ...(stale ? { stale } : {}),
    });
  }
  return out;
}
