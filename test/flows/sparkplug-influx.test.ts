/**
 * Flows (b) and (c) in one real Node-RED process (two tabs, two config
 * nodes), against the real Mosquitto and a real InfluxDB 1.x on a free port:
 * (b) Sparkplug B → decode → score → alert → explain → MQTT alert topic;
 * (c) MQTT sensor topics → score → InfluxDB (scores) and alert → explain → InfluxDB (alerts).
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertSchema, type Alert } from '../../agent/alerts/schema.js';
import { influxQuery, startInflux, type InfluxServer } from '../history/influx-server.js';
import { ensureBuilt, ROOT } from '../nodes/build.js';
import { lcg, until } from '../nodes/red-helper.js';
import { rewrite, startNodeRed, type NodeRedProcess } from './node-red-process.js';

const require = createRequire(import.meta.url);
const spb = (require('sparkplug-payload') as { get(ns: string): { encodePayload(p: object): Uint8Array } }).get('spBv1.0');
const run = `t${process.pid}${Date.now() % 100000}`;
const flowOf = (name: string): object[] => JSON.parse(readFileSync(join(ROOT, 'flows', name, 'flow.json'), 'utf8')) as object[];

let nr: NodeRedProcess;
let influx: InfluxServer;
let client: mqtt.MqttClient;

beforeAll(async () => {
  await ensureBuilt();
  influx = await startInflux();
  // The flow expects the database to exist (node-red-contrib-influxdb does not create it); so does its README.
  await fetch(`${influx.url}/query?q=${encodeURIComponent('CREATE DATABASE edge_sentinel')}`, { method: 'POST' });
  const flows = [
    ...rewrite(flowOf('sparkplug-alerts'), [
      ['spBv1.0/#', `spBv1.0/${run}/#`],
      ["'edge-sentinel/'", `'${run}/edge-sentinel/'`],
    ]),
    ...rewrite(flowOf('influxdb-history'), [
      ['plant/', `${run}/plant/`],
      ['"8086"', `"${influx.port}"`],
      [':8086', `:${influx.port}`],
    ]),
  ];
  nr = await startNodeRed(flows);
  client = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { protocolVersion: 4 });
  await until(() => (nr.output().match(/Connected to broker/g) ?? []).length >= 2, 'both flows connected to the broker');
  await new Promise((r) => setTimeout(r, 500));
}, 120_000);
afterAll(async () => {
  await client?.endAsync();
  await nr?.stop();
  await influx?.close();
});

describe('flow (b): Sparkplug B → decode → score → alert', () => {
  it('publishes a v1 alert for a device whose DDATA carries aliases only', async () => {
    const alerts: Alert[] = [];
    client.on('message', (topic, payload) => {
      if (topic.startsWith(`${run}/edge-sentinel/`)) alerts.push(alertSchema.parse(JSON.parse(payload.toString())));
    });
    await client.subscribeAsync(`${run}/edge-sentinel/#`, { qos: 1 });
    const base = `spBv1.0/${run}`;
    let seq = 0;
    let ts = Date.now() - 3_600_000;
    const enc = (o: object): Buffer => Buffer.from(spb.encodePayload(o));
    await client.publishAsync(`${base}/NBIRTH/gw1`, enc({ timestamp: ts, seq: seq++, metrics: [] }));
    await client.publishAsync(
      `${base}/DBIRTH/gw1/K-3`,
      enc({
        timestamp: ts,
        seq: seq++,
        metrics: [
          { name: 'pressure', alias: 1, type: 'Double', value: 4 },
          { name: 'flow', alias: 2, type: 'Double', value: 120 },
        ],
      }),
    );
    const rnd = lcg(5);
    const data = async (pressure: number): Promise<void> => {
      ts += 1000;
      await client.publishAsync(
        `${base}/DDATA/gw1/K-3`,
        enc({
          timestamp: ts,
          seq: seq++ % 256,
          metrics: [
            { alias: 1, type: 'Double', value: pressure + 0.05 * rnd() },
            { alias: 2, type: 'Double', value: 120 + rnd() },
          ],
        }),
      );
    };
    for (let i = 0; i < 320; i++) await data(4); // 320 scans: learning (300), then the fit
    // The fit finishes off the message path, later on a loaded box: normal scans then the fault, until it alerts.
    for (let round = 0; round < 20 && !alerts.some((a) => a.asset === 'K-3' && a.state === 'open'); round++) {
      for (let i = 0; i < 40; i++) await data(4);
      for (let i = 0; i < 8; i++) await data(5);
      await new Promise((r) => setTimeout(r, 500));
    }
    await until(
      () => alerts.some((a) => a.asset === 'K-3' && a.state === 'open'),
      `an open alert for K-3\n${nr.output().slice(-3000)}`,
      20_000,
    );
    const open = alerts.find((a) => a.state === 'open')!;
    expect(open.evidence.map((e) => e.signal).sort()).toEqual(['flow', 'pressure']);
    expect(open.diagnosis.signals).toContain('pressure');
    expect(open.summary.text).toContain('K-3');
    console.log(`flow (b) alert: [${open.summary.source}] ${open.summary.text}`);
  }, 90_000);
});

describe('flow (c): scores and alerts → InfluxDB', () => {
  it('writes one score point per detecting decision and the alerts with their summaries', async () => {
    const rnd = lcg(9);
    const pub = async (temp: number): Promise<void> => {
      await client.publishAsync(`${run}/plant/P-4/temp`, (temp + rnd()).toFixed(3));
      await client.publishAsync(`${run}/plant/P-4/vib`, (2 + 0.05 * rnd()).toFixed(3));
      await new Promise((r) => setTimeout(r, 3));
    };
    for (let i = 0; i < 320; i++) await pub(60); // 320 scans of two messages: learning (300) and the fit
    await new Promise((r) => setTimeout(r, 1000));
    for (let i = 0; i < 100; i++) await pub(60);
    // The fault as a real plant delivers it: one scan (temp, vib) every ~25 ms.
    for (let i = 0; i < 8; i++) {
      await pub(66);
      await new Promise((r) => setTimeout(r, 20));
    }
    const q = (sql: string): Promise<Array<Record<string, unknown>>> => influxQuery(influx.url, 'edge_sentinel', sql);
    let alerts: Array<Record<string, unknown>> = [];
    const t0 = Date.now();
    while (!alerts.some((a) => a['state'] === 'open')) {
      if (Date.now() - t0 > 20_000) throw new Error(`no open alert point in InfluxDB after 20 s\n${nr.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
      alerts = await q(`SELECT * FROM sentinel_alert WHERE asset = 'P-4'`);
    }
    const open = alerts.find((a) => a['state'] === 'open')!;
    expect(String(open['summary'])).toContain('P-4');
    expect(['lm', 'template']).toContain(open['summary_source']);
    expect(open['pattern']).toBeTypeOf('string');
    const scores = await q(`SELECT count(score) FROM sentinel_score WHERE asset = 'P-4'`);
    const n = Number(scores[0]?.['count'] ?? 0);
    // 300 learning scans are not written; the detecting ones are (minus any still being fitted when they arrived).
    expect(n).toBeGreaterThan(50);
    const anomalous = await q(`SELECT count(score) FROM sentinel_score WHERE asset = 'P-4' AND anomalous = true`);
    expect(Number(anomalous[0]?.['count'] ?? 0)).toBeGreaterThanOrEqual(3);
    console.log(`flow (c): ${n} score points, ${alerts.length} alert point(s); open: ${String(open['summary'])}`);
    expect(nr.output()).not.toMatch(/\[error\]/);
  }, 90_000);
});
