/** A simulated machine's signal: nominal level, noise, unit, and how a shared load drives it. */
export interface SimSignal {
  name: string;
  unit: string;
  nominal: number;
  noise: number;
  /** Response to the asset's slow load factor (fraction of nominal per unit load). */
  loadGain: number;
}

export interface SimAsset {
  name: string;
  kind: string;
  signals: SimSignal[];
}

/**
 * A centrifugal pump and its induction motor, with plausible magnitudes:
 * ISO 10816 vibration ~2.5 mm/s RMS (zone A/B), bearing 55 °C, 18 A at
 * 400 V, 4.2 bar discharge, 120 m³/h.
 */
export const DEMO_ASSETS: SimAsset[] = [
  {
    name: 'P-101',
    kind: 'pump',
    signals: [
      { name: 'vibration', unit: 'mm/s', nominal: 2.5, noise: 0.08, loadGain: 0.05 },
      { name: 'bearing_temp', unit: '°C', nominal: 55, noise: 0.15, loadGain: 0.02 },
      { name: 'current', unit: 'A', nominal: 18, noise: 0.2, loadGain: 0.08 },
      { name: 'pressure', unit: 'bar', nominal: 4.2, noise: 0.03, loadGain: -0.04 },
      { name: 'flow', unit: 'm³/h', nominal: 120, noise: 1.2, loadGain: 0.1 },
    ],
  },
  {
    name: 'M-201',
    kind: 'motor',
    signals: [
      { name: 'vibration', unit: 'mm/s', nominal: 1.8, noise: 0.06, loadGain: 0.05 },
      { name: 'winding_temp', unit: '°C', nominal: 68, noise: 0.2, loadGain: 0.03 },
      { name: 'current', unit: 'A', nominal: 42, noise: 0.4, loadGain: 0.1 },
      { name: 'speed', unit: 'rpm', nominal: 1480, noise: 1.5, loadGain: -0.005 },
    ],
  },
];

/** Units of the demo signals, for the demo config's `assets.units`. */
export function demoUnits(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of DEMO_ASSETS) for (const s of a.signals) out[s.name] = s.unit;
  return out;
}
