import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { decodePayload, encodePayload, toNum, type UPayload } from '../../agent/sparkplug/codec.js';
import { classifyUpstreamMessage, readEgressAudit } from '../../agent/uplink/index.js';
import { tempDir } from '../alerts/helpers.js';
import { Relay } from '../bench/fleet/brokers.js';
import { uniq } from '../helpers/wait.js';
import { episode, makeRig, waitFor, type Rig } from './helpers/wiring.js';

const BROKER = 'mqtt://127.0.0.1:1883';

interface Seen {
  topic: string;
  type: string;
  device?: string;
  p: UPayload;
  raw: Buffer;
}

/**
 * A host application's view, through the real Mosquitto: every Sparkplug
 * message of the group decoded with Eclipse Tahu's sparkplug-payload, the
 * primary host's retained STATE, and NCMD rebirth requests.
 */
async function host(group: string, hostId: string) {
  const c: MqttClient = await mqtt.connectAsync(BROKER, { protocolVersion: 4 });
  const seen: Seen[] = [];
  c.on('message', (topic, raw) => {
    const [, , type, , device] = topic.split('/');
    if (type === 'NCMD') return; // our own rebirth requests
    seen.push({ topic, type: type!, ...(device ? { device } : {}), p: decodePayload(raw), raw: Buffer.from(raw) });
  });
  await c.subscribeAsync(`spBv1.0/${group}/#`, { qos: 1 });
  const stateTopic = `spBv1.0/STATE/${hostId}`;
  return {
    seen,
    of: (type: string) => seen.filter((s) => s.type === type),
    state: (online: boolean, timestamp: number) =>
      c.publishAsync(stateTopic, JSON.stringify({ online, timestamp }), { qos: 1, retain: true }),
    rebirth: (edge: string) =>
      c.publishAsync(
        `spBv1.0/${group}/NCMD/${edge}`,
        encodePayload({ timestamp: Date.now(), metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }] }),
        { qos: 0 },
      ),
    close: async () => {
      await c.publishAsync(stateTopic, '', { qos: 1, retain: true });
      await c.endAsync();
    },
  };
}

/** Alias → name from the last DBIRTH of each device, to read DDATA. */
function values(seen: Seen[], device: string): Array<Record<string, unknown>> {
  let names = new Map<number, string>();
  const out: Array<Record<string, unknown>> = [];
  for (const s of seen.filter((x) => x.device === device)) {
    if (s.type === 'DBIRTH') names = new Map((s.p.metrics ?? []).map((m) => [toNum(m.alias)!, m.name!]));
    const row: Record<string, unknown> = { type: s.type };
    for (const m of s.p.metrics ?? []) row[m.name ?? names.get(toNum(m.alias)!) ?? `?${String(m.alias)}`] = m.value;
    out.push(row);
  }
  return out;
}

/** The seq of every non-NDEATH message of the node, in arrival order, must count 0, 1, 2, … from each NBIRTH. */
function seqBroken(seen: Seen[]): string[] {
  const bad: string[] = [];
  let expect = -1;
  for (const s of seen) {
    if (s.type === 'NDEATH') continue;
    const q = toNum(s.p.seq);
    if (s.type === 'NBIRTH') expect = 0;
    if (q !== expect) bad.push(`${s.type} ${s.device ?? ''} seq ${q}, expected ${expect}`);
    expect = (expect + 1) % 256;
  }
  return bad;
}

let rig: Rig | undefined;
let relay: Relay | undefined;
let hostApp: Awaited<ReturnType<typeof host>> | undefined;
afterEach(async () => {
  await rig?.stop();
  await relay?.stop();
  await hostApp?.close();
  rig = undefined;
  relay = undefined;
  hostApp = undefined;
});

describe('uplink.format sparkplug (the agent as an edge node)', () => {
  it('waits for the primary host, then births, then sends each alert transition as DDATA with seq +1; rebirths on NCMD', async () => {
    const group = uniq('spg');
    hostApp = await host(group, 'scada1');
    const h = hostApp;
    const stateDir = tempDir('sp');
    rig = makeRig({
      stateDir,
      brokerUrl: BROKER,
      config: { uplink: { format: 'sparkplug', sparkplug: { groupId: group, edgeNodeId: 'gw1', primaryHostId: 'scada1' } } },
    });
    const r = rig;
    await r.start();
    await waitFor(() => r.uplink.stats().connected, 10_000, 'upstream connect');
    for (const d of episode('pump-1', Date.now())) r.bus.emit('decision', d);
    await waitFor(() => r.store.outbox.stats().queued === 3, 5000, 'three transitions queued');
    await new Promise((res) => setTimeout(res, 500));
    // The host has not said it is online: nothing is published, alerts wait in the outbox.
    expect(h.seen).toEqual([]);
    expect(r.health.get('uplink')).toMatchObject({ state: 'degraded', reason: 'uplink_host_offline' });

    await h.state(true, Date.now());
    await waitFor(() => h.of('DDATA').length === 2, 10_000, 'the backlog as DDATA');
    expect(h.seen.map((s) => s.type)).toEqual(['NBIRTH', 'DBIRTH', 'DDATA', 'DDATA']);
    const nb = h.of('NBIRTH')[0]!;
    expect(toNum(nb.p.seq)).toBe(0);
    expect(toNum(nb.p.metrics!.find((m) => m.name === 'bdSeq')!.value)).toBe(0);
    expect(nb.p.metrics!.find((m) => m.name === 'Node Control/Rebirth')).toMatchObject({ type: 'Boolean', value: false });
    expect(nb.p.metrics!.find((m) => m.name === 'Health/Status')?.value).toBe('ok');
    expect(nb.p.metrics!.find((m) => m.name === 'Health/uplink')?.value).toBe('ok');
    expect(seqBroken(h.seen)).toEqual([]);
    // The open goes out in the DBIRTH (first sight of the device), then the update and the resolution.
    expect(values(h.seen, 'pump-1').map((v) => [v['type'], v['Alert/State'], v['Alert/Active'] ?? null])).toEqual([
      ['DBIRTH', 'open', true],
      ['DDATA', 'update', null],
      ['DDATA', 'resolved', false],
    ]);
    const birth = values(h.seen, 'pump-1')[0]!;
    expect(birth).toMatchObject({
      'Alert/Severity': 'info',
      'Alert/Pattern': 'spike',
      'Alert/Signals': 'vibration',
      'Alert/Threshold': 1,
    });
    expect(typeof birth['Alert/Summary']).toBe('string');
    expect(r.store.outbox.stats().queued).toBe(0);

    // NCMD Node Control/Rebirth: NBIRTH (seq 0, same bdSeq) and the DBIRTH with the current values.
    const n = h.seen.length;
    await h.rebirth('gw1');
    await waitFor(() => h.seen.length >= n + 2, 5000, 'the rebirth');
    const again = h.seen.slice(n);
    expect(again.map((s) => s.type)).toEqual(['NBIRTH', 'DBIRTH']);
    expect(toNum(again[0]!.p.metrics!.find((m) => m.name === 'bdSeq')!.value)).toBe(0);
    expect(values(again, 'pump-1')[0]).toMatchObject({ 'Alert/State': 'resolved', 'Alert/Active': false });
    expect(seqBroken(h.seen)).toEqual([]);

    // Every message went through the egress gate, audited, and is one this edge node may send.
    const audit = readEgressAudit(join(stateDir, 'egress-audit.log')).filter((l) => l.action === 'publish');
    expect(audit.map((l) => l.topic)).toEqual(h.seen.map((s) => s.topic));
    for (const s of h.seen) expect(classifyUpstreamMessage(s.topic, s.raw)).toEqual({ ok: true, kind: 'sparkplug' });
  });

  it('on a newer offline STATE sends NDEATH and reconnects with the next bdSeq, queues meanwhile, and ignores an older one', async () => {
    const group = uniq('spg');
    hostApp = await host(group, 'scada2');
    const h = hostApp;
    await h.state(true, 1000);
    rig = makeRig({
      stateDir: tempDir('sp'),
      brokerUrl: BROKER,
      config: { uplink: { format: 'sparkplug', sparkplug: { groupId: group, edgeNodeId: 'gw2', primaryHostId: 'scada2' } } },
    });
    const r = rig;
    await r.start();
    await waitFor(() => h.of('NBIRTH').length === 1, 10_000, 'the first birth');
    await h.state(false, 500); // older than the online one: ignored
    await new Promise((res) => setTimeout(res, 300));
    expect(h.of('NDEATH')).toHaveLength(0);
    await h.state(false, 2000);
    await waitFor(() => h.of('NDEATH').length === 1, 5000, 'NDEATH');
    expect(toNum(h.of('NDEATH')[0]!.p.metrics![0]!.value)).toBe(0);
    expect(h.of('NDEATH')[0]!.p.seq).toBeUndefined();
    for (const d of episode('fan-1', Date.now())) r.bus.emit('decision', d);
    await waitFor(() => r.store.outbox.stats().queued === 3, 5000, 'transitions queued while the host is away');
    await new Promise((res) => setTimeout(res, 300));
    expect(h.of('DBIRTH')).toHaveLength(0);
    await h.state(true, 3000);
    await waitFor(() => h.of('DDATA').length === 2, 10_000, 'the queued transitions');
    const nb = h.of('NBIRTH');
    expect(nb).toHaveLength(2);
    expect(toNum(nb[1]!.p.metrics!.find((m) => m.name === 'bdSeq')!.value)).toBe(1);
    expect(seqBroken(h.seen)).toEqual([]);
  });

  it('registers NDEATH as the MQTT will: the broker publishes it with the bdSeq of that connection when the link breaks', async () => {
    const group = uniq('spg');
    hostApp = await host(group, 'none');
    const h = hostApp;
    relay = new Relay(1883);
    await relay.start();
    rig = makeRig({
      stateDir: tempDir('sp'),
      brokerUrl: `mqtt://127.0.0.1:${relay.port}`,
      config: { uplink: { format: 'sparkplug', sparkplug: { groupId: group, edgeNodeId: 'gw3' }, broker: { keepaliveS: 2 } } },
    });
    const r = rig;
    await r.start();
    await waitFor(() => h.of('NBIRTH').length === 1, 10_000, 'the birth (no primary host configured)');
    await relay.cut();
    await waitFor(() => h.of('NDEATH').length === 1, 10_000, 'the will');
    const will = h.of('NDEATH')[0]!;
    expect(will.p.metrics!.map((m) => [m.name, toNum(m.value)])).toEqual([['bdSeq', 0]]);
    await relay.heal();
    await waitFor(() => h.of('NBIRTH').length === 2, 15_000, 'the next session');
    expect(toNum(h.of('NBIRTH')[1]!.p.metrics!.find((m) => m.name === 'bdSeq')!.value)).toBe(1);
  });
});
