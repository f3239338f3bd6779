/**
 * The load generator of the performance bench, run as its own process (so
 * its CPU does not count against the consumer it measures). It publishes
 * realistic JSON samples `{"value":12.345,"ts":1764312345678.123}` for
 * N assets × M signals on `<prefix>/a<i>/s<j>` at a fixed total rate, and
 * injects one spike every `injectEveryMs` (round robin over assets and
 * signals) so both consumers have alerts to raise. `ts` is the publish
 * wall time with sub-millisecond precision (performance.timeOrigin + now):
 * every process on the box shares that clock, so consumers can compute
 * publish→decision and publish→alert latency from it.
 *
 * IPC protocol (process.send): parent → {type:'run', id, rate, ms, injectEveryMs}
 * | {type:'stop'}; child → {type:'ready'} | {type:'done', id, published, ms, injections}.
 * `ms: 0` streams until the next command.
 */
import mqtt from 'mqtt';
import { setNoDelay } from '../../../agent/ingest/mqtt-options.js';
import type { GenDone, GenRun, ToGen } from './protocol.js';

const [url = 'mqtt://127.0.0.1:1883', prefix = 'perf', nAssets = '10', nSignals = '4'] = process.argv.slice(2);
const A = Number(nAssets);
const M = Number(nSignals);
const TOPICS = A * M;
/** A few plausible signal shapes: temperature °C, current A, speed rpm, vibration mm/s, pressure bar. */
const NOMINAL = [65, 12.4, 1480, 2.3, 6.1];

const topics: string[] = [];
const nominal = new Float64Array(TOPICS);
const noise = new Float64Array(TOPICS);
for (let a = 0; a < A; a++) {
  for (let s = 0; s < M; s++) {
    const k = a * M + s;
    topics.push(`${prefix}/a${a}/s${s}`);
    nominal[k] = NOMINAL[s % NOMINAL.length]! * (1 + (0.05 * ((a % 7) - 3)) / 3);
    noise[k] = nominal[k]! * 0.01;
  }
}
/** Pre-drawn standard normals: the generator must stay cheap at 100k+ samples/s. */
const GAUSS = new Float64Array(8192);
for (let i = 0; i < GAUSS.length; i++) GAUSS[i] = Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
let g = 0;
const spikes = new Uint32Array(TOPICS);

const wall = (): number => performance.timeOrigin + performance.now();
const client = mqtt.connect(url, { clientId: `${prefix}-gen-${process.pid}`, protocolVersion: 4, reconnectPeriod: 1000 });
client.on('error', (err) => console.error(`loadgen: broker error: ${err.message}`));
client.on('connect', () => {
  setNoDelay(client);
  process.send?.({ type: 'ready' });
});

let current:
  | { run: GenRun; t0: number; sent: number; injections: Array<[string, number]>; nextInject: number; timer: NodeJS.Timeout | undefined }
  | undefined;
let cursor = 0;
let lastTs = 0;
let injectCursor = 0;

function finish(): void {
  const c = current;
  if (!c) return;
  if (c.timer) clearTimeout(c.timer);
  current = undefined;
  const done: GenDone = { type: 'done', id: c.run.id, published: c.sent, ms: performance.now() - c.t0, injections: c.injections };
  process.send?.(done);
}

/** Publishes what is due by now (catching up after a late timer), then re-arms a 1 ms timer. */
function tick(): void {
  const c = current;
  if (!c) return;
  const el = performance.now() - c.t0;
  const end = c.run.ms > 0 ? Math.min(el, c.run.ms) : el;
  const due = Math.floor((c.run.rate * end) / 1000);
  const t = el / 1000;
  while (c.sent < due) {
    const k = cursor;
    cursor = cursor + 1 === TOPICS ? 0 : cursor + 1;
    let v = nominal[k]! * (1 + 0.01 * Math.sin(t * 0.7 + k)) + noise[k]! * GAUSS[g++ & 8191]!;
    let ts = wall();
    if (ts <= lastTs) ts = lastTs + 0.001;
    lastTs = ts;
    if (c.run.injectEveryMs > 0 && el >= c.nextInject && k === injectCursor) {
      // A spike beyond everything seen on this signal before (growing per repeat), so every injection is a fresh anomaly.
      v = nominal[k]! + noise[k]! * 40 * (1 + 0.25 * spikes[k]!++);
      c.injections.push([topics[k]!, ts]);
      c.nextInject += c.run.injectEveryMs;
      injectCursor = (injectCursor + M + 1) % TOPICS;
    }
    client.publish(topics[k]!, `{"value":${Math.round(v * 1000) / 1000},"ts":${ts}}`, { qos: 0 });
    c.sent++;
  }
  if (c.run.ms > 0 && el >= c.run.ms) return finish();
  c.timer = setTimeout(tick, 1);
}

process.on('message', (m: ToGen) => {
  if (m.type === 'stop') {
    finish();
    client.end(false, {}, () => process.exit(0));
    return;
  }
  if (current) finish();
  current = { run: m, t0: performance.now(), sent: 0, injections: [], nextInject: m.injectEveryMs, timer: undefined };
  tick();
});
process.on('disconnect', () => process.exit(0));
