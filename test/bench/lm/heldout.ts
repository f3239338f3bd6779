/**
 * The held-out alert facts for bench:lm: asset kinds, ids, signal names, units
 * and value ranges that appear nowhere in the training corpus (the model never
 * sees names or numbers at all; these exercise the filler and the verifier on
 * values from 0.001 to 50 000, missing units, null ratios and many signals).
 * Seeded, so every run benches the same set.
 */
import type { AlertFacts, Pattern, Severity } from '../../../agent/types.js';

const KINDS: Array<{ kind: string; prefix: string; signals: Array<[string, string, number]> }> = [
  {
    kind: 'compressor',
    prefix: 'CMP',
    signals: [
      ['discharge_pressure', 'bar', 8],
      ['suction_temp', '°C', 12],
      ['motor_current', 'A', 42],
      ['casing_vibration', 'mm/s', 2.2],
    ],
  },
  {
    kind: 'chiller',
    prefix: 'CH',
    signals: [
      ['supply_water_temp', '°C', 6.5],
      ['condenser_pressure', 'kPa', 950],
      ['compressor_load', '%', 64],
    ],
  },
  {
    kind: 'conveyor',
    prefix: 'CV',
    signals: [
      ['belt_speed', 'm/s', 1.6],
      ['drive_torque', 'Nm', 310],
      ['belt_tension', '', 0.84],
    ],
  },
  {
    kind: 'spindle',
    prefix: 'SP',
    signals: [
      ['spindle_speed', 'rpm', 12000],
      ['spindle_temp', '°C', 38],
      ['axial_acceleration', 'g', 0.031],
    ],
  },
  {
    kind: 'boiler',
    prefix: 'B',
    signals: [
      ['steam_pressure', 'bar', 16],
      ['flue_gas_o2', '%', 3.4],
      ['feedwater_flow', 'm3/h', 22],
    ],
  },
  {
    kind: 'turbine',
    prefix: 'GT',
    signals: [
      ['shaft_speed', 'rpm', 3000],
      ['exhaust_temp', '°C', 540],
      ['bearing_displacement', 'um', 28],
    ],
  },
  {
    kind: 'mixer',
    prefix: 'MX',
    signals: [
      ['agitator_power', 'kW', 18.5],
      ['batch_viscosity', '', 1450],
      ['jacket_temp', '°C', 71],
    ],
  },
  {
    kind: 'extruder',
    prefix: 'EX',
    signals: [
      ['melt_pressure', 'bar', 210],
      ['screw_speed', 'rpm', 85],
      ['zone3_temp', '°C', 232],
    ],
  },
  {
    kind: 'transformer',
    prefix: 'TX',
    signals: [
      ['oil_temp', '°C', 55],
      ['load_current', 'A', 410],
      ['dissolved_h2', 'ppm', 0.004],
    ],
  },
  {
    kind: 'filter press',
    prefix: 'FP',
    signals: [
      ['feed_pressure', 'bar', 6.1],
      ['filtrate_turbidity', 'NTU', 0.35],
      ['cycle_flow', 'L/min', 48000],
    ],
  },
];
const PATTERNS: Pattern[] = ['spike', 'level_shift', 'drift', 'variance_change', 'stuck', 'dropout', 'oscillation', 'unknown'];
const SEVERITIES: Severity[] = ['info', 'warning', 'critical'];

/** mulberry32 so the held-out set is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n held-out alert facts from a seed. */
export function heldOutFacts(n: number, seed = 2024): AlertFacts[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const out: AlertFacts[] = [];
  for (let i = 0; i < n; i++) {
    const k = pick(KINDS);
    const sigs = [...k.signals].sort(() => r() - 0.5);
    const nMoved = Math.min(sigs.length, pick([0, 1, 1, 1, 1, 2, 2, 3]));
    const state = pick(['open', 'open', 'open', 'update', 'update', 'resolved'] as const);
    const moved = sigs.slice(0, nMoved).map(([name, unit, base]) => {
      const up = r() < 0.6;
      // A resolved alert reports its signals back near their baseline; open/update ones far from it.
      const factor = state === 'resolved' ? (up ? 1 + r() * 0.1 : 0.9 + r() * 0.1) : up ? 1.3 + r() * 6 : 0.05 + r() * 0.6;
      const baseline = base * (0.7 + r() * 0.6);
      const value = baseline * factor;
      const ratio = r() < 0.2 ? null : value / baseline;
      const z = (up ? 1 : -1) * (state === 'resolved' ? r() * 2 : 3 + r() * 12);
      return { name, unit, value, baseline, ratio, z, direction: up ? ('up' as const) : ('down' as const) };
    });
    out.push({
      asset: `${k.prefix}-${Math.floor(r() * 900) + 100}`,
      assetKind: r() < 0.85 ? k.kind : undefined,
      site: 'bench-site',
      state,
      severity: pick(SEVERITIES),
      pattern: pick(PATTERNS),
      durationS: Math.round(2 + r() * r() * 20000),
      moved,
      steady: sigs.slice(nMoved, nMoved + Math.floor(r() * 3)).map(([name]) => name),
    });
  }
  return out;
}
