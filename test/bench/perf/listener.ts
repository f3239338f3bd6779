/**
 * The bench's own MQTT client (in the orchestrator, which is idle while the
 * load runs): it receives both consumers' alerts, stamping each with the
 * shared wall clock, and talks to the Node-RED flow's control topics.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { setNoDelay } from '../../../agent/ingest/mqtt-options.js';
import { wall } from './procs.js';

/** One received alert: which consumer, the plant topic (Node-RED) or asset (agent) it is about, when it arrived. */
export interface SeenAlert {
  from: 'agent' | 'nodered';
  key: string;
  at: number;
}

/** The Node-RED flow's figures, from its instrumented function node. */
export interface NrSnap {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

export class BenchListener {
  private client: MqttClient | undefined;
  readonly alerts: SeenAlert[] = [];
  private nrWaiter: ((s: NrSnap) => void) | undefined;

  constructor(
    private readonly url: string,
    /** The agent's uplink prefix (alerts on <prefix>/<site>/<asset>/alert). */
    private readonly upPrefix: string,
    /** Node-RED's alert topic and control topic root. */
    readonly nrAlert: string,
    readonly nrCtl: string,
  ) {}

  async start(): Promise<void> {
    const c = mqtt.connect(this.url, {
      clientId: `perf-listener-${process.pid}`,
      protocolVersion: 4,
      reconnectPeriod: 1000,
      connectTimeout: 5000,
    });
    this.client = c;
    await new Promise<void>((resolve, reject) => {
      c.once('connect', () => resolve());
      c.once('error', (err) =>
        reject(
          new Error(
            `cannot reach the MQTT broker at ${this.url}: ${err.message} (start it: mosquitto -d -c /etc/mosquitto/mosquitto.conf)`,
          ),
        ),
      );
      setTimeout(
        () =>
          reject(new Error(`no MQTT broker answered at ${this.url} within 5 s (start it: mosquitto -d -c /etc/mosquitto/mosquitto.conf)`)),
        5000,
      ).unref();
    });
    setNoDelay(c);
    c.on('error', (err) => console.error(`bench listener: ${err.message}`));
    c.on('message', (topic, payload) => this.onMessage(topic, payload));
    await c.subscribeAsync({ [`${this.upPrefix}/+/+/alert`]: { qos: 1 }, [this.nrAlert]: { qos: 0 }, [`${this.nrCtl}/stats`]: { qos: 0 } });
  }

  private onMessage(topic: string, payload: Buffer): void {
    const at = wall();
    if (topic === this.nrAlert) {
      const p = JSON.parse(payload.toString('utf8')) as { src?: string };
      if (p.src) this.alerts.push({ from: 'nodered', key: p.src, at });
      return;
    }
    if (topic === `${this.nrCtl}/stats`) {
      const w = this.nrWaiter;
      this.nrWaiter = undefined;
      w?.(JSON.parse(payload.toString('utf8')) as NrSnap);
      return;
    }
    const p = JSON.parse(payload.toString('utf8')) as { asset?: string; state?: string };
    if (p.asset && (p.state === 'open' || p.state === 'update')) this.alerts.push({ from: 'agent', key: p.asset, at });
  }

  /** Asks the Node-RED flow for its figures ('reset' also clears them first). */
  nodeRed(cmd: 'snap' | 'reset', ms = 5000): Promise<NrSnap> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.nrWaiter = undefined;
        reject(new Error(`Node-RED flow did not answer '${cmd}' within ${ms} ms`));
      }, ms);
      this.nrWaiter = (s) => {
        clearTimeout(t);
        resolve(s);
      };
      this.client?.publish(`${this.nrCtl}/cmd`, cmd, { qos: 0 });
    });
  }

  async stop(): Promise<void> {
    await this.client?.endAsync();
  }
}

/**
 * Publish→alert latency of each injected spike: the first alert from that
 * consumer about that spike's asset (agent) or topic (Node-RED) within 3 s.
 * Returns the latencies in µs, sorted, and how many spikes got no alert.
 */
export function matchAlerts(
  injections: Array<[string, number]>,
  alerts: SeenAlert[],
  from: SeenAlert['from'],
): { us: number[]; missed: number } {
  const us: number[] = [];
  let missed = 0;
  for (const [topic, ts] of injections) {
    const key = from === 'agent' ? topic.split('/')[1]! : topic;
    const hit = alerts.find((a) => a.from === from && a.key === key && a.at >= ts && a.at - ts < 3000);
    if (hit) us.push((hit.at - ts) * 1000);
    else missed++;
  }
  return { us: us.sort((a, b) => a - b), missed };
}

/** The q-quantile of sorted values (nearest rank), 0 when empty. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
