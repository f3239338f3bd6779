/**
 * Mutual TLS to the upstream against the real Mosquitto with
 * `require_certificate true`: the agent's uplink connects with the right
 * client certificate and delivers; with a certificate from another CA, or
 * none, the broker refuses it, nothing is sent, and health says why.
 */
import mqtt from 'mqtt';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../alerts/helpers.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { makeCerts } from '../uplink/helpers/certs.js';
import { episode, makeRig, waitFor, type Rig } from '../uplink/helpers/wiring.js';

const certs = makeCerts(tempDir('mtls'));
const other = makeCerts(tempDir('mtls-other'));
let mosq: Mosquitto;
let rig: Rig | undefined;

beforeAll(async () => {
  mosq = await startMosquitto({ tls: { ca: certs.ca, cert: certs.serverCert, key: certs.serverKey, requireCertificate: true } });
});
afterAll(async () => {
  await mosq?.close();
});
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

function uplinkTo(tls: { cert?: string; key?: string }): Rig {
  return makeRig({
    stateDir: tempDir('mtls-state'),
    brokerUrl: mosq.url,
    config: { uplink: { broker: { url: mosq.url, reconnectMs: 200, tls: { ca: certs.ca, ...tls } } } },
  });
}

describe('mTLS to a Mosquitto with require_certificate true', () => {
  it('the right client certificate connects and alerts arrive', async () => {
    const sub = mqtt.connect(mosq.url, {
      ca: readFileSync(certs.ca),
      cert: readFileSync(certs.clientCert),
      key: readFileSync(certs.clientKey),
      protocolVersion: 4,
    });
    const got: string[] = [];
    sub.on('message', (topic) => got.push(topic));
    await new Promise<void>((res, rej) => {
      sub.once('connect', () => sub.subscribe('edge-sentinel/#', { qos: 1 }, (err) => (err ? rej(err) : res())));
      sub.once('error', rej);
    });
    rig = uplinkTo({ cert: certs.clientCert, key: certs.clientKey });
    await rig.start();
    const r = rig;
    await waitFor(() => r.uplink.stats().connected, 10_000, 'mTLS connect');
    expect(r.health.get('uplink')).toMatchObject({ state: 'ok' });
    for (const d of episode('pump-1', Date.now())) r.bus.emit('decision', d);
    await waitFor(() => got.filter((t) => t.endsWith('/alert')).length === 3, 10_000, '3 alerts through Mosquitto');
    await sub.endAsync();
  });

  for (const [name, tls] of [
    ['a client certificate signed by another CA', { cert: other.clientCert, key: other.clientKey }],
    ['no client certificate', {}],
  ] as const) {
    it(`${name} is refused: nothing sent, alerts kept, uplink refused`, async () => {
      rig = uplinkTo(tls);
      await rig.start();
      const r = rig;
      for (const d of episode('pump-1', Date.now())) r.bus.emit('decision', d);
      await r.alerting.flush();
      await waitFor(
        () => r.health.get('uplink')?.reason === 'uplink_refused',
        10_000,
        `uplink_refused (now ${JSON.stringify(r.health.get('uplink'))})`,
      );
      expect(r.uplink.stats()).toMatchObject({ connected: false, connects: 0 });
      expect(r.store.outbox.stats().queued).toBe(3);
      expect(r.health.get('uplink')?.message).toContain(mosq.url);
    });
  }
});
