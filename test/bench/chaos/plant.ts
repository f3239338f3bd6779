/**
 * The chaos bench's plant: assets × signals of plain numbers on the plant Mosquitto at 20 scans/s per
 * asset (all signals of a scan at once), with faults (+12 σ on every signal of an asset) switched on and
 * off in bursts so the agent keeps opening, updating and resolving alerts.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { gauss, rng } from '../../../agent/sim/random.js';
import { sleep } from '../perf/procs.js';

const PERIOD_MS = 50;

export class Plant {
  private client: MqttClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly faulty = new Set<number>();
  private readonly toggles: NodeJS.Timeout[] = [];
  private readonly noise: () => number;

  constructor(
    private readonly url: string,
    private readonly prefix: string,
    private readonly assets: number,
    private readonly signals: number,
    seed: number,
  ) {
    this.noise = rng(seed + 7919);
  }

  async start(): Promise<void> {
    const c = mqtt.connect(this.url, { clientId: `${this.prefix}-plant`, protocolVersion: 4, reconnectPeriod: 500 });
    this.client = c;
    await new Promise<void>((resolve, reject) => {
      c.once('connect', () => resolve());
      c.once('error', (err) =>
        reject(new Error(`plant broker ${this.url}: ${err.message} (start it: mosquitto -d -c /etc/mosquitto/mosquitto.conf)`)),
      );
    });
    this.timer = setInterval(() => this.tick(), PERIOD_MS);
  }

  private tick(): void {
    const c = this.client;
    if (!c?.connected) return;
    for (let a = 0; a < this.assets; a++) {
      const shift = this.faulty.has(a) ? 12 : 0;
      for (let s = 0; s < this.signals; s++) {
        const v = 10 * (s + 1) + gauss(this.noise) + shift;
        c.publish(`${this.prefix}/a${a}/s${s}`, v.toFixed(4), { qos: 0 });
      }
    }
  }

  /** Faults on a random half of the assets (at least one), each switched on and off for 0.3–1.5 s at a time. */
  burst(u: () => number): void {
    this.calm();
    const surely = Math.floor(u() * this.assets);
    for (let a = 0; a < this.assets; a++) {
      if (a !== surely && u() < 0.5) continue;
      const flip = (on: boolean): void => {
        if (on) this.faulty.add(a);
        else this.faulty.delete(a);
        this.toggles.push(setTimeout(() => flip(!on), 300 + u() * 1200));
      };
      flip(true);
    }
  }

  /** Every fault off. */
  calm(): void {
    for (const t of this.toggles.splice(0)) clearTimeout(t);
    this.faulty.clear();
  }

  /** Until the agent's /metrics says `n` assets detect. */
  async waitLearned(httpPort: number, n: number, ms: number): Promise<void> {
    const t0 = Date.now();
    for (;;) {
      const text = await fetch(`http://127.0.0.1:${httpPort}/metrics`).then(
        (r) => r.text(),
        () => '',
      );
      const detecting = [...text.matchAll(/^edge_sentinel_asset_detecting\{[^}]*\} 1$/gm)].length;
      if (detecting >= n) return;
      if (Date.now() - t0 > ms) throw new Error(`only ${detecting} of ${n} assets learned within ${ms} ms`);
      await sleep(250);
    }
  }

  /** Stops sending (idempotent). */
  async stop(): Promise<void> {
    this.calm();
    clearInterval(this.timer);
    const c = this.client;
    this.client = undefined;
    await c?.endAsync().catch(() => undefined);
  }
}
