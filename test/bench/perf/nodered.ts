/**
 * The peer: the flow a plant engineer would build in Node-RED for the same
 * job — mqtt in → json → function (rolling per-signal z-score, Welford) →
 * switch (|z| > 4) → mqtt out — on a real Node-RED 4 runtime in its own
 * process (headless: editor and HTTP nodes disabled, temp userDir).
 *
 * The function node also records publish→decision latency from the payload
 * timestamp into a fixed-memory histogram (functionGlobalContext.bench), the
 * same measurement the agent host makes, and a small control flow answers
 * `snap` / `reset` on MQTT so the bench can read it per rate.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { BenchListener } from './listener.js';
import { freePort, Proc } from './procs.js';
import type { ConsumerSnap } from './steps.js';

/** The z-score step, as one would write it in a function node. */
const FUNC = `const st = context.get('st');
const v = msg.payload.value;
let s = st[msg.topic];
if (s === undefined) s = st[msg.topic] = { n: 0, mean: 0, m2: 0 };
let z = 0;
if (s.n > 20) z = (v - s.mean) / Math.sqrt(s.m2 / (s.n - 1));
s.n++;
const d = v - s.mean;
s.mean += d / s.n;
s.m2 += d * (v - s.mean);
msg.z = Math.abs(z);
msg.payload.src = msg.topic;
global.get('bench').rec(msg.payload.ts);
return msg;`;

const CTL = `const b = global.get('bench');
if (msg.payload === 'reset') b.reset();
msg.payload = b.snap();
return msg;`;

/** settings.js: headless, quiet, plus the latency histogram the function node records into. */
const SETTINGS = (port: number): string => `const perf = require('perf_hooks').performance;
const N = 1024, h = new Float64Array(N);
let n = 0, max = 0;
const bucket = (us) => (us < 64 ? Math.max(0, Math.floor(us)) : Math.min(N - 1, 64 + Math.floor(Math.log2(us / 64) * 32)));
const edge = (i) => (i < 64 ? i + 1 : 64 * 2 ** ((i - 63) / 32));
const q = (p) => { const t = Math.max(1, Math.ceil(p * n)); let s = 0; for (let i = 0; i < N; i++) { s += h[i]; if (s >= t) return Math.min(edge(i), max); } return max; };
const bench = {
  rec(ts) { const us = (perf.timeOrigin + perf.now() - ts) * 1000; h[bucket(us)]++; n++; if (us > max) max = us; },
  reset() { h.fill(0); n = 0; max = 0; },
  snap() { return { count: n, p50: q(0.5), p99: q(0.99), p999: q(0.999), max }; },
};
module.exports = {
  uiPort: ${port},
  uiHost: '127.0.0.1',
  httpAdminRoot: false,
  httpNodeRoot: false,
  disableEditor: true,
  flowFile: 'flows.json',
  credentialSecret: false,
  functionGlobalContext: { bench },
  logging: { console: { level: 'warn', metrics: false, audit: false } },
  diagnostics: { enabled: false },
  runtimeState: { enabled: false },
  telemetry: { enabled: false },
  editorTheme: { tours: false },
};
`;

/** Node ids: opaque hex like the editor makes (short words can collide with property values). */
const ID = {
  tab: 'e5f0a1b2c3d40001',
  broker: 'e5f0a1b2c3d40002',
  in: 'e5f0a1b2c3d40003',
  json: 'e5f0a1b2c3d40004',
  fn: 'e5f0a1b2c3d40005',
  sw: 'e5f0a1b2c3d40006',
  out: 'e5f0a1b2c3d40007',
  cin: 'e5f0a1b2c3d40008',
  cfn: 'e5f0a1b2c3d40009',
  cout: 'e5f0a1b2c3d4000a',
};

/** The flow JSON: the measured flow plus the control flow. */
export function nodeRedFlow(url: string, plantPrefix: string, alertTopic: string, ctl: string): unknown[] {
  const u = new URL(url);
  const broker = {
    id: ID.broker,
    type: 'mqtt-broker',
    name: 'plant',
    broker: u.hostname,
    port: u.port || '1883',
    clientid: '',
    autoConnect: true,
    usetls: false,
    protocolVersion: '4',
    keepalive: '60',
    cleansession: true,
  };
  return [
    { id: ID.tab, type: 'tab', label: 'perf' },
    broker,
    {
      id: ID.in,
      type: 'mqtt in',
      z: ID.tab,
      topic: `${plantPrefix}/#`,
      qos: '0',
      datatype: 'utf8',
      broker: ID.broker,
      nl: false,
      rap: true,
      rh: 0,
      inputs: 0,
      wires: [[ID.json]],
    },
    { id: ID.json, type: 'json', z: ID.tab, property: 'payload', action: 'obj', pretty: false, wires: [[ID.fn]] },
    {
      id: ID.fn,
      type: 'function',
      z: ID.tab,
      func: FUNC,
      outputs: 1,
      initialize: "context.set('st', {});",
      finalize: '',
      libs: [],
      wires: [[ID.sw]],
    },
    {
      id: ID.sw,
      type: 'switch',
      z: ID.tab,
      property: 'z',
      propertyType: 'msg',
      rules: [{ t: 'gt', v: '4', vt: 'num' }],
      checkall: 'true',
      repair: false,
      outputs: 1,
      wires: [[ID.out]],
    },
    { id: ID.out, type: 'mqtt out', z: ID.tab, topic: alertTopic, qos: '0', retain: 'false', broker: ID.broker, wires: [] },
    {
      id: ID.cin,
      type: 'mqtt in',
      z: ID.tab,
      topic: `${ctl}/cmd`,
      qos: '0',
      datatype: 'utf8',
      broker: ID.broker,
      nl: false,
      rap: true,
      rh: 0,
      inputs: 0,
      wires: [[ID.cfn]],
    },
    { id: ID.cfn, type: 'function', z: ID.tab, func: CTL, outputs: 1, initialize: '', finalize: '', libs: [], wires: [[ID.cout]] },
    { id: ID.cout, type: 'mqtt out', z: ID.tab, topic: `${ctl}/stats`, qos: '0', retain: 'false', broker: ID.broker, wires: [] },
  ];
}

/** Writes a temp userDir and starts Node-RED in it. */
export async function startNodeRed(dir: string, flow: unknown[], nice = 0): Promise<Proc<{ type: 'none' }, { type: 'none' }>> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  writeFileSync(join(dir, 'settings.js'), SETTINGS(port));
  writeFileSync(join(dir, 'flows.json'), JSON.stringify(flow, null, 1));
  const red = createRequire(import.meta.url).resolve('node-red/red.js');
  const argv = [red, '--userDir', dir, '--settings', join(dir, 'settings.js')];
  return nice
    ? new Proc('node-red', 'nice', ['-n', String(nice), process.execPath, ...argv], { cwd: dir })
    : new Proc('node-red', process.execPath, argv, { cwd: dir });
}

/** The Node-RED flow as a bench consumer; its figures come over MQTT from the instrumented function node. */
export class NodeRedConsumer {
  readonly name = 'nodered' as const;

  constructor(
    readonly proc: Proc<{ type: 'none' }, { type: 'none' }>,
    private readonly listener: BenchListener,
  ) {}

  get pid(): number {
    return this.proc.pid;
  }

  /** Resolves once the flow is deployed and its broker connection is up (it answers a snap). */
  async ready(ms = 60_000): Promise<void> {
    const t0 = Date.now();
    for (;;) {
      if (this.proc.exited) throw new Error(`Node-RED exited during start-up:\n${this.proc.lastOutput()}`);
      try {
        await this.listener.nodeRed('snap', 500);
        return;
      } catch (err) {
        if (Date.now() - t0 > ms)
          throw new Error(`Node-RED flow not answering after ${ms} ms (${(err as Error).message}):\n${this.proc.lastOutput()}`);
      }
    }
  }

  async snap(): Promise<ConsumerSnap> {
    const s = await this.listener.nodeRed('snap', 60_000);
    return {
      samplesIn: s.count,
      deadlineMisses: null,
      latency: null,
      e2e: { count: s.count, p50: s.p50, p99: s.p99, p999: s.p999, max: s.max, mean: 0 },
      meanBatch: null,
      loopDelay: null,
    };
  }

  async reset(): Promise<void> {
    await this.listener.nodeRed('reset', 60_000);
  }
}
