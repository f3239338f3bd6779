import { describe, expect, it } from 'vitest';
import type { StoredAlert } from '../../agent/alerts/schema.js';
import { decodePayload, toNum } from '../../agent/sparkplug/codec.js';
import { EdgeNodeSession, isRebirthRequest, REBIRTH_METRIC } from '../../agent/uplink/sparkplug/edge-node.js';
import { HostStateTracker, parseHostState } from '../../agent/uplink/sparkplug/host-state.js';
import { alertValues, emptyDeviceState, type DeviceState } from '../../agent/uplink/sparkplug/metrics.js';

const alert: StoredAlert = {
  v: 1,
  id: 'e1:0',
  alertId: 'e1',
  seq: 0,
  asset: 'pump-1',
  site: 'plantA',
  state: 'open',
  severity: 'critical',
  firstSeen: '2026-01-01T00:00:00.000Z',
  lastSeen: '2026-01-01T00:00:05.000Z',
  score: 4.2,
  threshold: 1,
  evidence: [],
  diagnosis: { pattern: 'level_shift', signals: ['vibration', 'temp'], confidence: 0.9 },
  summary: { text: 'Pump 1: vibration rose.', source: 'template', model: 'template' },
  agentId: 'edge-1',
  agentVersion: '0.1.0',
};
const dec = (b: Buffer) => decodePayload(b);
const seqOf = (b: Buffer) => toNum(dec(b).seq);
const byName = (b: Buffer) => Object.fromEntries((dec(b).metrics ?? []).map((m) => [m.name, m]));

describe('Sparkplug edge node session (pure)', () => {
  it('gives each CONNECT the next bdSeq, in the NDEATH will and the NBIRTH alike, and the will has no seq', () => {
    const s = new EdgeNodeSession('line 1', 'gw/1', -1);
    const c0 = s.connect(1000);
    expect(c0.bdSeq).toBe(0);
    expect(c0.will).toMatchObject({ topic: 'spBv1.0/line 1/NDEATH/gw_1', qos: 1, retain: false });
    const will = dec(c0.will.payload);
    expect(will.seq).toBeUndefined();
    expect(will.metrics!.map((m) => [m.name, toNum(m.value)])).toEqual([['bdSeq', 0]]);
    const birth = s.nbirth({ 'Health/Status': 'ok' }, 1001);
    expect(birth).toMatchObject({ topic: 'spBv1.0/line 1/NBIRTH/gw_1', qos: 0, retain: false });
    expect(seqOf(birth.payload)).toBe(0);
    const m = byName(birth.payload);
    expect(toNum(m['bdSeq']!.value)).toBe(0);
    expect(m[REBIRTH_METRIC]).toMatchObject({ type: 'Boolean', value: false });
    expect(m[REBIRTH_METRIC]!.alias).toBeUndefined();
    expect(s.connect(2000).bdSeq).toBe(1);
    expect(new EdgeNodeSession('g', 'e', 255).connect(0).bdSeq).toBe(0);
  });

  it('births every device metric with name, alias, type and value, then sends only changes by alias, with seq +1 each, wrapping at 255', () => {
    const s = new EdgeNodeSession('g', 'e', -1);
    s.connect(0);
    s.nbirth({}, 0);
    const empty = s.state('pump-1', 'ok');
    const b = s.dbirth('pump-1', empty, 10);
    expect(b.topic).toBe('spBv1.0/g/DBIRTH/e/pump-1');
    expect(seqOf(b.payload)).toBe(1);
    const birth = dec(b.payload).metrics!;
    expect(birth).toHaveLength(14);
    for (const m of birth) {
      expect(m.name).toBeTruthy();
      expect(toNum(m.alias)).toBeGreaterThanOrEqual(1000);
      expect(toNum(m.timestamp)).toBe(10);
    }
    expect(byName(b.payload)['Alert/Severity']!.value).toBeNull();
    const open: DeviceState = { ...empty, ...alertValues(alert, false) };
    const d = s.ddata('pump-1', open, 20)!;
    expect(d.topic).toBe('spBv1.0/g/DDATA/e/pump-1');
    expect(seqOf(d.payload)).toBe(2);
    const data = dec(d.payload).metrics!;
    expect(data.every((m) => m.name === undefined && toNum(m.alias)! >= 1000)).toBe(true);
    const aliasToName = new Map(birth.map((m) => [toNum(m.alias), m.name]));
    const sent = Object.fromEntries(data.map((m) => [aliasToName.get(toNum(m.alias)), m.value]));
    expect(sent).toMatchObject({
      'Alert/Active': true,
      'Alert/State': 'open',
      'Alert/Severity': 'critical',
      'Alert/Score': 4.2,
      'Alert/Pattern': 'level_shift',
      'Alert/Signals': 'vibration,temp',
      'Alert/Summary': 'Pump 1: vibration rose.',
    });
    expect(sent['Alert/Replayed']).toBeUndefined(); // unchanged: not sent
    expect(s.ddata('pump-1', open, 21)).toBeNull();
    for (let i = 0; i < 300; i++) s.ddata('pump-1', { ...open, 'Alert/Score': i }, 30 + i);
    expect(s.nextSeq).toBe((3 + 300) % 256);
  });

  it('keeps aliases unique across devices and node metrics, and restarts seq at the next NBIRTH', () => {
    const s = new EdgeNodeSession('g', 'e', -1);
    s.connect(0);
    const nb = s.nbirth({ 'Health/Status': 'ok', 'Health/hotpath': 'ok' }, 0);
    const a = dec(s.dbirth('a', emptyDeviceState('ok'), 1).payload).metrics!;
    const b = dec(s.dbirth('b', emptyDeviceState('ok'), 1).payload).metrics!;
    const all = [...dec(nb.payload).metrics!, ...a, ...b].flatMap((m) =>
      m.alias === undefined || m.alias === null ? [] : [toNum(m.alias)],
    );
    expect(new Set(all).size).toBe(all.length);
    expect(seqOf(s.nbirth({ 'Health/Status': 'ok' }, 5).payload)).toBe(0);
    expect(s.deviceIds()).toEqual(['a', 'b']);
  });

  it('sends node health changes as NDATA and asks for a rebirth when a component was not born', () => {
    const s = new EdgeNodeSession('g', 'e', -1);
    s.connect(0);
    s.nbirth({ 'Health/Status': 'ok' }, 0);
    expect(s.ndata({ 'Health/Status': 'ok' }, 1)).toBeNull();
    const nd = s.ndata({ 'Health/Status': 'degraded' }, 2)!;
    expect(nd.topic).toBe('spBv1.0/g/NDATA/e');
    expect(dec(nd.payload).metrics!.map((m) => [toNum(m.alias), m.value])).toEqual([[1, 'degraded']]);
    expect(s.needsRebirth({ 'Health/Status': 'ok', 'Health/history': 'ok' })).toBe(true);
  });

  it('recognises a rebirth request only as Node Control/Rebirth = true', () => {
    expect(isRebirthRequest([{ name: REBIRTH_METRIC, type: 'Boolean', value: true }])).toBe(true);
    expect(isRebirthRequest([{ name: REBIRTH_METRIC, type: 'Boolean', value: false }])).toBe(false);
    expect(isRebirthRequest([{ name: 'Node Control/Reboot', type: 'Boolean', value: true }])).toBe(false);
    expect(isRebirthRequest(undefined)).toBe(false);
  });

  it('honours only the newest STATE of the primary host, in the 3.0 JSON form and the 2.2 text form', () => {
    const t = new HostStateTracker();
    expect(t.online).toBe(false);
    const st = (online: boolean, ts: number) =>
      parseHostState('spBv1.0/STATE/scada', Buffer.from(JSON.stringify({ online, timestamp: ts })), 0)!;
    expect(t.update(st(true, 100))).toBe('online');
    expect(t.update(st(false, 50))).toBe('stale'); // an old will delivered late
    expect(t.online).toBe(true);
    expect(t.update(st(false, 200))).toBe('offline');
    expect(t.update(st(false, 200))).toBe('stale'); // the same retained STATE again after a resubscribe
    expect(parseHostState('STATE/scada', Buffer.from('ONLINE'), 300)).toEqual({ online: true, timestamp: 300 });
    expect(parseHostState('spBv1.0/STATE/scada', Buffer.from('ONLINE'), 300)).toBeNull();
    expect(parseHostState('spBv1.0/STATE/scada', Buffer.from('{"online":"yes","timestamp":1}'), 300)).toBeNull();
  });
});
