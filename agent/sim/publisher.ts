import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { setNoDelay } from '../ingest/mqtt-options.js';
import { PlantSimulator, type SimReading } from './plant.js';

/**
 * Publishes the simulated plant to a broker as `plant/{asset}/{signal}` plain
 * numbers at `rateHz`, the way a PLC gateway or sensor bridge would.
 */
export class SimPublisher {
  private client: MqttClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private t0 = 0;
  private tick = 0;
  private readonly buf: SimReading[] = [];
  published = 0;

  constructor(
    private readonly url: string,
    readonly sim: PlantSimulator,
    private readonly rateHz: number,
    private readonly log: Logger,
    private readonly protocolVersion: 4 | 5 = 5,
    private readonly topicPrefix = 'plant',
  ) {}

  async start(): Promise<void> {
    const c = mqtt.connect(this.url, {
      protocolVersion: this.protocolVersion,
      clientId: `edge-sentinel-sim-${process.pid}`,
      reconnectPeriod: 1000,
    });
    this.client = c;
    c.on('error', (err) => this.log.warn({ err: err.message }, 'simulator broker error'));
    await new Promise<void>((resolve) => c.once('connect', () => resolve()));
    setNoDelay(c);
    this.t0 = Date.now();
    const period = 1000 / this.rateHz;
    // Self-correcting schedule: each tick aims at t0 + n·period so the rate does not drift.
    const loop = (): void => {
      while (this.tick * period <= Date.now() - this.t0) {
        this.publishTick((this.tick * period) / 1000, this.t0 + this.tick * period);
        this.tick++;
      }
      this.timer = setTimeout(loop, Math.max(1, this.t0 + this.tick * period - Date.now()));
    };
    loop();
  }

  private publishTick(t: number, ts: number): void {
    const c = this.client;
    if (!c?.connected) return;
    for (const r of this.sim.step(t, ts, this.buf)) {
      c.publish(`${this.topicPrefix}/${r.asset}/${r.signal}`, String(r.value), { qos: 0 });
      this.published++;
    }
  }

  /** Seconds of simulated time elapsed. */
  get elapsedS(): number {
    return this.t0 ? (Date.now() - this.t0) / 1000 : 0;
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const c = this.client;
    this.client = undefined;
    if (c) await c.endAsync();
  }
}
