import { DEMO_ASSETS, type SimAsset } from './assets.js';
import { applyFault, CYCLE_S, DEMO_FAULTS, type Fault } from './faults.js';
import { gauss, rng } from './random.js';

/** One simulated reading. */
export interface SimReading {
  asset: string;
  signal: string;
  value: number;
  ts: number;
}

/**
 * The demo plant: per asset a slow AR(1) load factor shared by its signals
 * (so they correlate as real ones do), white sensor noise, and the fault
 * timeline. Pure and seeded: `step(tSeconds)` gives the same readings for the
 * same seed, which the tests rely on.
 */
export class PlantSimulator {
  private readonly u: () => number;
  private readonly load = new Map<string, number>();
  private readonly frozen = new Map<string, number>();

  constructor(
    seed: number,
    /** Seconds before the fault timeline starts (lets the agent learn first). */
    private readonly quietS: number,
    private readonly speed = 1,
    readonly assets: SimAsset[] = DEMO_ASSETS,
    readonly faults: Fault[] = DEMO_FAULTS,
  ) {
    this.u = rng(seed);
  }

  /** The fault active on an asset at `t` seconds, with its progress. */
  activeFault(asset: string, t: number): { fault: Fault; p: number; since: number } | undefined {
    const tt = (t - this.quietS) * this.speed;
    if (tt < 0) return undefined;
    const c = tt % CYCLE_S;
    for (const f of this.faults) {
      if (f.asset === asset && c >= f.at && c < f.at + f.duration)
        return { fault: f, p: (c - f.at) / f.duration, since: (c - f.at) / this.speed };
    }
    return undefined;
  }

  /** Readings of every signal of every asset at time `t` seconds (wall `ts` ms). */
  step(t: number, ts: number, out: SimReading[] = []): SimReading[] {
    out.length = 0;
    for (const a of this.assets) {
      const l = 0.98 * (this.load.get(a.name) ?? 0) + 0.05 * gauss(this.u);
      this.load.set(a.name, l);
      const af = this.activeFault(a.name, t);
      for (const s of a.signals) {
        const n = gauss(this.u);
        const healthy = s.nominal * (1 + s.loadGain * l) + s.noise * n;
        let v = healthy;
        const key = `${a.name}/${s.name}`;
        if (af && af.fault.signals.includes(s.name)) {
          if (!this.frozen.has(key)) this.frozen.set(key, Math.round(healthy * 100) / 100);
          v = applyFault(af.fault.kind, s.name, healthy, s.nominal, af.p, af.since, n, this.frozen.get(key)!);
        } else this.frozen.delete(key);
        out.push({ asset: a.name, signal: s.name, value: Math.round(v * 1000) / 1000, ts });
      }
    }
    return out;
  }
}
