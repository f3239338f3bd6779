import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { classifyUpstreamMessage, readEgressAudit } from '../../agent/uplink/index.js';
import { tempDir } from '../alerts/helpers.js';
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

/** Per asset, the ids in first-delivery order. */
function deliveredByAsset(alerts: Array<Record<string, unknown>>): Map<string, string[]> {
  const seen = new Set<string>();
  const out = new Map<string, string[]>();
  for (const a of alerts) {
    const id = a.id as string;
    if (seen.has(id)) continue;
    seen.add(id);
    out.set(a.asset as string, [...(out.get(a.asset as string) ?? []), id]);
  }
  return out;
}

describe('uplink outage', () => {
  it('keeps alerts fired while upstream is down and delivers all of them, in order, flagged replayed', async () => {
    broker = await startUpstreamBroker();
    const stateDir = tempDir('outage');
    rig = makeRig({ stateDir, brokerUrl: broker.url });
    await rig.start();
    const r = rig;
    const b = broker;
    await waitFor(() => r.uplink.stats().connected, 5000, 'upstream connect');
    const assets = ['pump-1', 'pump-2', 'fan-1'];
    let ts = Date.now();
    const fire = (episodes: number): void => {
      for (let e = 0; e < episodes; e++) for (const a of assets) for (const d of episode(a, ts++)) r.bus.emit('decision', d);
    };

    fire(2); // online: 3 assets × 2 episodes × 3 alerts
    await r.alerting.flush();
    await waitFor(() => b.alerts().length >= 18, 5000, 'online alerts');
    const onlineIds = new Set(r.emitted.map((a) => a.id));

    await b.down();
    await waitFor(() => !r.uplink.stats().connected, 5000, 'disconnect');
    const before = b.alerts().length;
    fire(5); // during the outage: 45 more alerts
    await r.alerting.flush();
    expect(r.alerting.outbox.stats().queued).toBe(45);
    expect(b.alerts().length).toBe(before);

    await b.up();
    await waitFor(() => r.alerting.outbox.stats().queued === 0, 10_000, 'outbox drained');
    const got = b.alerts();
    const gotIds = new Set(got.map((a) => a.id as string));
    const decided = r.emitted.map((a) => a.id);
    const lost = decided.filter((id) => !gotIds.has(id));
    const dups = got.length - gotIds.size;
    console.log(
      `[outage] decided=${decided.length} delivered_unique=${gotIds.size} lost=${lost.length} duplicates=${dups} replayed=${got.filter((a) => a.replayed === true).length}`,
    );
    expect(decided).toHaveLength(63);
    expect(lost).toEqual([]);
    expect(gotIds.size).toBe(63);

    // In order per asset: delivery order equals decision order.
    const want = new Map<string, string[]>();
    for (const a of r.emitted) want.set(a.asset, [...(want.get(a.asset) ?? []), a.id]);
    expect(deliveredByAsset(got)).toEqual(want);

    // Replayed flag: everything decided during the outage says so; nothing sent live does.
    for (const a of got) {
      if (onlineIds.has(a.id as string)) expect(a.replayed, `live ${String(a.id)}`).toBe(false);
      else expect(a.replayed, `outage ${String(a.id)}`).toBe(true);
    }

    // Sovereignty: every captured upstream message is a valid alert or status, and each was audited.
    for (const m of b.received) expect(classifyUpstreamMessage(m.topic, m.payload)).toMatchObject({ ok: true });
    expect(b.received.some((m) => m.topic === 'edge-sentinel/plantA/pump-1/alert')).toBe(true);
    const audit = readEgressAudit(join(stateDir, 'egress-audit.log'));
    const auditedAlertIds = new Set(audit.filter((l) => l.kind === 'alert' && l.action === 'publish').map((l) => l.id));
    for (const id of gotIds) expect(auditedAlertIds.has(id)).toBe(true);
    expect(audit.some((l) => l.action === 'will' && l.kind === 'status')).toBe(true);
    // Birth is retained on the status topic; the death will was published by the broker when we cut the connection.
    const statuses = b.received
      .filter((m) => m.topic === 'edge-sentinel/plantA/status')
      .map((m) => JSON.parse(m.payload.toString()) as { state: string });
    expect(statuses.filter((s) => s.state === 'online').length).toBeGreaterThanOrEqual(2);
    expect(statuses.some((s) => s.state === 'offline')).toBe(true);
    // Periodic health (every 1 s in this rig) rides on the retained status, numbers only; wait for one sent after the drain.
    const healthOf = (m: { payload: Buffer }): { outbox: { sent: number; queued: number } } =>
      (JSON.parse(m.payload.toString()) as { health: { outbox: { sent: number; queued: number } } }).health;
    const statusHealth = () => b.received.filter((m) => m.topic === 'edge-sentinel/plantA/status' && m.payload.includes('"health"'));
    await waitFor(() => statusHealth().some((m) => healthOf(m).outbox.sent === 63), 5000, 'a health status after the drain');
    expect(healthOf(statusHealth().at(-1)!).outbox).toMatchObject({ queued: 0, sent: 63 });
  });
});

describe('uplink outage mid-flight', () => {
  it('loses nothing when the connection drops with alerts in flight', async () => {
    broker = await startUpstreamBroker();
    rig = makeRig({ stateDir: tempDir('midflight'), brokerUrl: broker.url });
    await rig.start();
    const r = rig;
    const b = broker;
    await waitFor(() => r.uplink.stats().connected, 5000, 'upstream connect');
    const assets = ['a1', 'a2', 'a3', 'a4'];
    let ts = Date.now();
    for (let e = 0; e < 20; e++) for (const a of assets) for (const d of episode(a, ts++)) r.bus.emit('decision', d);
    await r.alerting.flush();
    await waitFor(() => b.alerts().length > 5, 5000, 'first deliveries');
    await b.down(); // cut while the outbox is still draining
    const queuedAtCut = r.alerting.outbox.stats().queued;
    await new Promise((res) => setTimeout(res, 300));
    await b.up();
    await waitFor(() => r.alerting.outbox.stats().queued === 0, 10_000, 'outbox drained');
    const got = b.alerts();
    const gotIds = new Set(got.map((a) => a.id as string));
    const lost = r.emitted.filter((a) => !gotIds.has(a.id));
    console.log(
      `[midflight] decided=${r.emitted.length} queued_at_cut=${queuedAtCut} delivered_unique=${gotIds.size} lost=${lost.length} duplicates=${got.length - gotIds.size}`,
    );
    expect(queuedAtCut).toBeGreaterThan(0);
    expect(lost).toEqual([]);
    const want = new Map<string, string[]>();
    for (const a of r.emitted) want.set(a.asset, [...(want.get(a.asset) ?? []), a.id]);
    expect(deliveredByAsset(got)).toEqual(want);
  });
});
