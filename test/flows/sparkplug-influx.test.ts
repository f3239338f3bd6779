/**
 * Flows (b) and (c) in one real Node-RED process (two tabs, two config
 * nodes), against the real Mosquitto and a real InfluxDB 1.x on a free port:
 * (b) Sparkplug B → decode → score → alert → explain → MQTT alert topic;
 * (c) MQTT sensor topics → score → InfluxDB (scores) and alert → explain → InfluxDB (alerts).
 */
import { createRequire } from 'node:module';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertSchema, type Alert } from '../../agent/alerts/schema.js';
import { influxQuery, startInflux, type InfluxServer } from '../history/influx-server.js';
import { ensureBuilt } from '../nodes/build.js';
import { lcg, until } from '../nodes/red-helper.js';
import { exampleFlow, faultUntil, mergeFlows, rewrite, startNodeRed, type NodeRedProcess } from './node-red-process.js';

const require = createRequire(import.meta.url);
const spb = (require('sparkplug-payload') as { get(ns: string): { encodePayload(p: object): Uint8Array } }).get('spBv1.0');
const run = `t${process.pid}${Date.now() % 100000}`;

let nr: NodeRedProcess;
let influx: InfluxServer;
let client: mqtt.MqttClient;

beforeAll(async () => {
  await ensureBuilt();
  influx = await startInflux();
  // The flow expects the database to exist (node-red-contrib-influxdb does not create it), as docs/node-red.md says.
  await fetch(`${influx.url}/query?q=${encodeURIComponent('CREATE DATABASE edge_sentinel')}`, { method: 'POST' });
  // Both examples as a user imports them: one shared plant-broker config node.
  const flows = mergeFlows(
    rewrite(exampleFlow('sparkplug-alerts'), [
      ['spBv1.0/#', `spBv1.0/${run}/#`],
      ["'edge-sentinel/'", `'${run}/edge-sentinel/'`],
    ]),
    rewrite(exampleFlow('influxdb-history'), [
      ['plant/', `${run}/plant/`],
      ['"8086"', `"${influx.port}"`],
      [':8086', `:${influx.port}`],
    ]),
  );
  expect(flows.filter((n) => (n as { type: string }).type === 'mqtt-broker')).toHaveLength(1);
  nr = await startNodeRed(flows);
  client = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { protocolVersion: 4 });
  await until(() => nr.output().includes('Connected to broker'), 'the shared plant broker connected');
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
    await faultUntil(
      (kind) => data(kind === 'fault' ? 5 : 4),
      () => alerts.some((a) => a.asset === 'K-3' && a.state === 'open'),
      `an open alert for K-3\n${nr.output().slice(-3000)}`,
    );
    const open = alerts.find((a) => a.state === 'open')!;
    expect(open.evidence.map((e) => e.signal).sort()).toEqual(['flow', 'pressure']);
    expect(open.diagnosis.signals).toContain('pressure');
    expect(open.summary.text).toContain('K-3');
    console.log(`flow (b) alert: [${open.summary.source}] ${open.summary.text}`);
  }, 150_000);
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
    const q = (sql: string): Promise<Array<Record<string, unknown>>> => influxQuery(influx.url, 'edge_sentinel', sql);
    let alerts: Array<Record<string, unknown>> = [];
    await faultUntil(
      (kind) => pub(kind === 'fault' ? 66 : 60),
      async () => {
        alerts = await q(`SELECT * FROM sentinel_alert WHERE asset = 'P-4'`);
        return alerts.some((a) => a['state'] === 'open');
      },
      `an open alert point in InfluxDB\n${nr.output().slice(-3000)}`,
    );
    const open = alerts.find((a) => a['state'] === 'open')!;
    expect(String(open['summary'])).toContain('P-4');
    expect(['lm', 'template']).toContain(open['summary_source']);
    expect(open['pattern']).toBeTypeOf('string');
    // Every detecting scan is written, normal ones too (learning scans are not): 20 more normal scans after
    // the alert must add 20 points beside the anomalous ones.
    for (let i = 0; i < 20; i++) await pub(60);
    const count = async (where: string): Promise<number> =>
      Number((await q(`SELECT count(score) FROM sentinel_score WHERE asset = 'P-4'${where}`))[0]?.['count'] ?? 0);
    let n = 0;
    let nAnomalous = 0;
    const t0 = Date.now();
    while ((n = await count('')) < (nAnomalous = await count(' AND anomalous = true')) + 20) {
      if (Date.now() - t0 > 15_000) throw new Error(`only ${n} score points, ${nAnomalous} anomalous, 15 s after 20 normal scans`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(nAnomalous).toBeGreaterThanOrEqual(3);
    console.log(`flow (c): ${n} score points, ${alerts.length} alert point(s); open: ${String(open['summary'])}`);
    expect(nr.output()).not.toMatch(/\[error\]/);
  }, 150_000);
});
