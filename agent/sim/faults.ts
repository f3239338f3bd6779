/** The faults the demo plant injects, on a repeating timeline (seconds after learning). */
export type FaultKind = 'bearing_wear' | 'cavitation' | 'stuck_sensor' | 'step_change';

export interface Fault {
  kind: FaultKind;
  asset: string;
  /** Start and length, seconds into each cycle. */
  at: number;
  duration: number;
  signals: string[];
}

/** One cycle of the demo: every fault once, with quiet time between them. */
export const DEMO_FAULTS: Fault[] = [
  { kind: 'cavitation', asset: 'P-101', at: 15, duration: 12, signals: ['pressure', 'vibration', 'flow'] },
  { kind: 'bearing_wear', asset: 'M-201', at: 45, duration: 30, signals: ['vibration', 'winding_temp'] },
  { kind: 'stuck_sensor', asset: 'P-101', at: 95, duration: 15, signals: ['pressure'] },
  { kind: 'step_change', asset: 'M-201', at: 125, duration: 15, signals: ['current'] },
];
export const CYCLE_S = 160;

/**
 * The value a fault makes of a healthy value. `p` is the fraction of the fault
 * elapsed (0..1), `t` seconds since the fault began, `noise` a standard normal.
 */
export function applyFault(
  kind: FaultKind,
  signal: string,
  healthy: number,
  nominal: number,
  p: number,
  t: number,
  noise: number,
  frozen: number,
): number {
  switch (kind) {
    case 'bearing_wear':
      // Vibration rises gradually to ~3x; the winding warms by a few degrees.
      return signal === 'vibration' ? healthy + nominal * 2.2 * p : healthy + 6 * p;
    case 'cavitation': {
      // Bursts: discharge pressure sags and flickers, broadband vibration bursts, flow oscillates.
      const burst = Math.sin(2 * Math.PI * 0.8 * t) > 0.2 ? 1 : 0.3;
      if (signal === 'pressure') return healthy - nominal * 0.12 * burst + 0.08 * noise;
      if (signal === 'vibration') return healthy + nominal * 1.4 * burst * Math.abs(noise);
      return healthy + nominal * 0.06 * Math.sin(2 * Math.PI * 0.8 * t);
    }
    case 'stuck_sensor':
      return frozen;
    case 'step_change':
      return healthy + nominal * 0.3;
  }
}
