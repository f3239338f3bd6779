/**
 * Flow (a), the mqtt-alerts example (nodes/examples/mqtt-alerts.json), in a real Node-RED process with the
 * package installed as a user installs it, against the real Mosquitto at
 * 127.0.0.1:1883 (topics made unique per run): sensor samples in, v1 alerts
 * with summaries out on edge-sentinel/<site>/<asset>/alert.
 */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertSchema, type Alert } from '../../agent/alerts/schema.js';
import { ensureBuilt } from '../nodes/build.js';
import { lcg, until } from '../nodes/red-helper.js';
import { exampleFlow, faultUntil, rewrite, startNodeRed, type NodeRedProcess } from './node-red-process.js';

const run = `t${process.pid}${Date.now() % 100000}`;
let nr: NodeRedProcess;
let client: mqtt.MqttClient;

beforeAll(async () => {
  await ensureBuilt();
  const flow = exampleFlow('mqtt-alerts');
  nr = await startNodeRed(
    rewrite(flow, [
      ['plant/', `${run}/plant/`],
      ["'edge-sentinel/'", `'${run}/edge-sentinel/'`],
    ]),
  );
  client = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { protocolVersion: 4 });
}, 120_000);
afterAll(async () => {
  await client?.endAsync();
  await nr?.stop();
});

describe('flow (a): MQTT sensor topics → score → alert → explain → MQTT alert topic', () => {
  it('publishes v1 alerts with summaries for a pump fault', async () => {
    const alerts: Alert[] = [];
    const topics: string[] = [];
    client.on('message', (topic, payload) => {
      topics.push(topic);
      alerts.push(alertSchema.parse(JSON.parse(payload.toString())));
    });
    await client.subscribeAsync(`${run}/edge-sentinel/#`, { qos: 1 });
    // Give the flow's own MQTT client time to subscribe before publishing.
    await until(() => nr.output().includes('Connected to broker'), 'Node-RED connected to the broker');
    await new Promise((r) => setTimeout(r, 500));
    const rnd = lcg(11);
    const pub = async (temp: number): Promise<void> => {
      await client.publishAsync(`${run}/plant/P-9/temp`, (temp + rnd()).toFixed(3));
      await client.publishAsync(`${run}/plant/P-9/vib`, (2 + 0.05 * rnd()).toFixed(3));
      await new Promise((r) => setTimeout(r, 2));
    };
    for (let i = 0; i < 320; i++) await pub(60); // 320 scans of two messages: learning (300) and the fit
    await faultUntil(
      (kind) => pub(kind === 'fault' ? 66 : 60),
      () => alerts.some((a) => a.asset === 'P-9' && a.state === 'open'),
      `an open alert on the alert topic\n${nr.output().slice(-3000)}`,
    );
    const open = alerts.find((a) => a.asset === 'P-9' && a.state === 'open')!;
    expect(topics[alerts.indexOf(open)]).toBe(`${run}/edge-sentinel/site1/P-9/alert`);
    expect(open.summary.text).toMatch(/P-9/);
    expect(['lm', 'template']).toContain(open.summary.source);
    expect(open.evidence.map((e) => e.signal)).toContain('temp');
    console.log(`flow (a) alert: [${open.severity}, ${open.summary.source}] ${open.summary.text}`);
    expect(nr.output()).not.toMatch(/\[error\]/);
  }, 150_000);
});
