/**
 * The ceiling: alert-sized messages (a real alert payload from the run)
 * published flat out at QoS 1 into every edge broker at once, across the
 * bridges, counted by the central consumer. On this box the publishers,
 * the twenty-one brokers and the consumer share two cores with everything
 * else, so the figure is a floor for a central broker on its own machine.
 */
import mqtt from 'mqtt';
import { cpuSeconds, sleep, wall } from '../perf/procs.js';

/** What the central consumer saw of the flood (it counts, it does not parse). */
export interface FloodCounter {
  n: number;
  firstMs: number;
  lastMs: number;
}

export const FLOOD_ASSET = 'flood';

export interface FloodResult {
  sent: number;
  received: number;
  /** Messages per second through the central broker, first to last arrival. */
  msgsPerS: number;
  /** The central broker's CPU over the same interval, % of one core. */
  centralCpuPct: number;
  /** Central broker CPU per message carried (in and out), µs: what a broker on its own core would be bound by. */
  centralUsPerMsg: number;
}

/** Publish for `seconds` with `inflight` outstanding QoS 1 publishes per edge broker, then wait for the stragglers. */
export async function flood(
  edgeUrls: string[],
  sites: string[],
  prefix: string,
  payload: Buffer,
  seconds: number,
  counter: FloodCounter,
  centralPid: number,
  inflight = 32,
): Promise<FloodResult> {
  const clients = await Promise.all(edgeUrls.map((u) => mqtt.connectAsync(u, { protocolVersion: 4 })));
  const cpu0 = cpuSeconds(centralPid);
  const t0 = wall();
  const end = Date.now() + seconds * 1000;
  let sent = 0;
  const pump = async (c: mqtt.MqttClient, topic: string): Promise<void> => {
    while (Date.now() < end) {
      await c.publishAsync(topic, payload, { qos: 1 });
      sent++;
    }
  };
  await Promise.all(
    clients.flatMap((c, i) => Array.from({ length: inflight }, () => pump(c, `${prefix}/${sites[i]}/${FLOOD_ASSET}/alert`))),
  );
  // Stragglers: until the count stops moving for 2 s (or 60 s).
  let last = -1;
  for (let i = 0; i < 30 && counter.n !== last && counter.n < sent; i++) {
    last = counter.n;
    await sleep(2000);
  }
  const cpu = cpuSeconds(centralPid) - cpu0;
  await Promise.all(clients.map((c) => c.endAsync()));
  const spanS = Math.max(1e-3, (counter.lastMs - Math.max(counter.firstMs, t0)) / 1000);
  // Over the same span as the rate: the wait for stragglers after the last arrival adds (almost) no CPU.
  return {
    sent,
    received: counter.n,
    msgsPerS: counter.n / spanS,
    centralCpuPct: (cpu / ((counter.lastMs - t0) / 1000)) * 100,
    centralUsPerMsg: counter.n ? (cpu / counter.n) * 1e6 : NaN,
  };
}
