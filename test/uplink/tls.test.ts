import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readEgressAudit } from '../../agent/uplink/index.js';
import { tempDir } from '../alerts/helpers.js';
import { makeCerts } from './helpers/certs.js';
import { startUpstreamBroker, type UpstreamBroker } from './helpers/upstream-broker.js';
import { episode, makeRig, waitFor, type Rig } from './helpers/wiring.js';

let broker: UpstreamBroker | undefined;
let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  await broker?.close();
  rig = undefined;
  broker = undefined;
});

describe('upstream over TLS', () => {
  const dir = tempDir('tls');
  const certs = makeCerts(dir);
  const passwordFile = join(dir, 'password');
  writeFileSync(passwordFile, 's3cret\n');

  async function tlsBroker(): Promise<UpstreamBroker> {
    return startUpstreamBroker({
      tls: { key: readFileSync(certs.serverKey), cert: readFileSync(certs.serverCert), ca: readFileSync(certs.ca), requestCert: true },
      auth: { username: 'edge', password: 's3cret' },
    });
  }

  it('delivers alerts with mutual TLS, CA pinning and a password file', async () => {
    broker = await tlsBroker();
    const stateDir = tempDir('tls-state');
    rig = makeRig({
      stateDir,
      brokerUrl: broker.url,
      config: {
        uplink: {
          broker: { url: broker.url, username: 'edge', passwordFile, tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey } },
        },
      },
    });
    await rig.start();
    const r = rig;
    const b = broker;
    await waitFor(() => r.uplink.stats().connected, 5000, 'TLS connect');
    for (const d of episode('pump-1', Date.now())) r.bus.emit('decision', d);
    await r.alerting.flush();
    await waitFor(() => b.alerts().length === 3, 5000, 'alerts over TLS');
    expect(b.alerts().map((a) => a.state)).toEqual(['open', 'update', 'resolved']);
    expect(b.received[0]).toMatchObject({ topic: 'edge-sentinel/plantA/status', retain: true });
    const audit = readEgressAudit(join(stateDir, 'egress-audit.log'));
    expect(audit.filter((l) => l.action === 'publish' && l.kind === 'alert').every((l) => l.broker === broker!.url)).toBe(true);
  });

  it('does not connect (and keeps the alerts queued) without a client certificate', async () => {
    broker = await tlsBroker();
    rig = makeRig({
      stateDir: tempDir('tls-nocert'),
      brokerUrl: broker.url,
      config: { uplink: { broker: { url: broker.url, username: 'edge', passwordFile, tls: { ca: certs.ca } } } },
    });
    await rig.start();
    for (const d of episode('pump-1', Date.now())) rig.bus.emit('decision', d);
    await rig.alerting.flush();
    await new Promise((res) => setTimeout(res, 1000));
    expect(rig.uplink.stats()).toMatchObject({ connected: false, connects: 0 });
    expect(broker.received).toHaveLength(0);
    expect(rig.alerting.outbox.stats().queued).toBe(3);
  });

  it('does not connect to a broker whose certificate another CA signed', async () => {
    const other = makeCerts(tempDir('tls-other'));
    broker = await tlsBroker();
    rig = makeRig({
      stateDir: tempDir('tls-badca'),
      brokerUrl: broker.url,
      config: {
        uplink: {
          broker: { url: broker.url, username: 'edge', passwordFile, tls: { ca: other.ca, cert: certs.clientCert, key: certs.clientKey } },
        },
      },
    });
    await rig.start();
    await new Promise((res) => setTimeout(res, 1000));
    expect(rig.uplink.stats().connects).toBe(0);
    expect(broker.received).toHaveLength(0);
  });
});
