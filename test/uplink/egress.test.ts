import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../agent/alerts/schema.js';
import { uplinkSection } from '../../agent/config/sections/uplink.js';
import { isEdgeError } from '../../agent/errors.js';
import { classifyUpstreamMessage, EgressGate, readEgressAudit, type EgressMessage } from '../../agent/uplink/index.js';
import type { Status } from '../../agent/uplink/status.js';
import { silent, tempDir } from '../alerts/helpers.js';

const alert: Alert = {
  v: 1,
  id: 'e1:0',
  alertId: 'e1',
  seq: 0,
  asset: 'pump-1',
  site: 'plantA',
  state: 'open',
  severity: 'critical',
  firstSeen: '2025-01-01T00:00:00.000Z',
  lastSeen: '2025-01-01T00:00:05.000Z',
  sent: '2025-01-01T00:00:05.100Z',
  score: 4.2,
  threshold: 1,
  evidence: [{ signal: 'vibration', unit: 'mm/s', value: 7.9, baseline: 2.5, spread: 0.4, deviation: 5.4, z: 13.5, ratio: 3.16 }],
  diagnosis: { pattern: 'level_shift', signals: ['vibration'], confidence: 0.9 },
  summary: { text: 'Pump 1: vibration rose.', source: 'template', model: 'template' },
  agentId: 'edge-1',
  agentVersion: '0.1.0',
  replayed: false,
};
const status: Status = { v: 1, agentId: 'edge-1', agentVersion: '0.1.0', site: 'plantA', state: 'online', ts: '2025-01-01T00:00:00.000Z' };

function gate(allow?: string[]) {
  const dir = tempDir('egress');
  const cfg = uplinkSection.parse({ prefix: 'acme', ...(allow ? { egress: { allow } } : {}) });
  const sent: Array<{ topic: string; payload: Buffer; opts: { qos: number; retain: boolean } }> = [];
  const client = {
    publish: (topic: string, payload: Buffer, opts: { qos: 1; retain: boolean }, cb: (err?: Error) => void) => {
      sent.push({ topic, payload, opts });
      cb();
    },
  };
  const g = new EgressGate(cfg, 'plantA', dir, 'mqtts://up.example:8883', silent);
  return { g, sent, client, audit: () => readEgressAudit(join(dir, 'egress-audit.log')) };
}

function denied(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch (err) {
    return isEdgeError(err, 'E_EGRESS');
  }
}

describe('egress gate', () => {
  it('publishes an alert on its topic with QoS 1 and audits what, when, where, bytes', async () => {
    const { g, sent, client, audit } = gate();
    await g.publish(client, { kind: 'alert', alert });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ topic: 'acme/plantA/pump-1/alert', opts: { qos: 1, retain: false } });
    expect(JSON.parse(sent[0]!.payload.toString())).toEqual(alert);
    const lines = audit();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      action: 'publish',
      kind: 'alert',
      topic: 'acme/plantA/pump-1/alert',
      broker: 'mqtts://up.example:8883',
      bytes: sent[0]!.payload.length,
      id: 'e1:0',
    });
    expect(Date.parse(lines[0]!.ts)).toBeGreaterThan(0);
  });

  it('cannot publish a raw sample, a feature vector or an alert smuggling one', async () => {
    const { g, sent, client, audit } = gate();
    const sample = { asset: 'pump-1', signal: 'vibration', value: 2.51, ts: Date.now() };
    const attempts: EgressMessage[] = [
      { kind: 'alert', alert: sample as unknown as Alert },
      { kind: 'alert', alert: { ...alert, samples: [sample] } as unknown as Alert },
      { kind: 'alert', alert: { ...alert, evidence: [{ ...alert.evidence[0]!, window: [1, 2, 3] }] } as unknown as Alert },
      { kind: 'sample', sample } as unknown as EgressMessage,
      { kind: 'status', status: { ...status, baseline: { mean: 2.5 } } as unknown as Status },
      { kind: 'health', status: { ...status, health: { uptimeS: 1, features: [0.1, 0.2] } } as unknown as Status },
    ];
    for (const m of attempts) expect(denied(() => g.approve(m))).toBe(true);
    await expect(g.publish(client, attempts[0]!)).rejects.toSatisfy((e: unknown) => isEdgeError(e, 'E_EGRESS'));
    expect(sent).toHaveLength(0);
    const lines = audit();
    expect(lines).toHaveLength(attempts.length + 1);
    expect(lines.every((l) => l.action === 'deny' && l.bytes === 0 && typeof l.reason === 'string')).toBe(true);
    expect(g.counters.denied).toBe(attempts.length + 1);
  });

  it('honours a narrowed allowlist, and the config cannot widen it', () => {
    const { g } = gate(['alert']);
    expect(denied(() => g.approve({ kind: 'status', status }))).toBe(true);
    expect(denied(() => g.approve({ kind: 'alert', alert }))).toBe(false);
    expect(() => uplinkSection.parse({ egress: { allow: ['alert', 'sample'] } })).toThrow();
    expect(() => uplinkSection.parse({ egress: { allow: ['features'] } })).toThrow();
  });

  it('status is retained on <prefix>/<site>/status; unsafe asset names cannot change the topic shape', () => {
    const { g } = gate();
    expect(g.approve({ kind: 'status', status })).toMatchObject({ topic: 'acme/plantA/status', retain: true, qos: 1 });
    expect(g.approve({ kind: 'alert', alert: { ...alert, asset: 'line/1#+' } }).topic).toBe('acme/plantA/line_1__/alert');
  });

  it('classifies captured upstream messages for sovereignty checks', () => {
    expect(classifyUpstreamMessage('acme/plantA/pump-1/alert', JSON.stringify(alert))).toEqual({ ok: true, kind: 'alert' });
    expect(classifyUpstreamMessage('acme/plantA/status', JSON.stringify(status))).toEqual({ ok: true, kind: 'status' });
    expect(classifyUpstreamMessage('acme/plantA/pump-1/alert', JSON.stringify({ asset: 'pump-1', signal: 'v', value: 1, ts: 1 })).ok).toBe(
      false,
    );
    expect(classifyUpstreamMessage('plant/pump-1/vibration', '2.51').ok).toBe(false);
  });

  it('rotates the audit log by size and keeps auditKeep files, so it stays bounded', () => {
    const dir = tempDir('egress-rot');
    const cfg = uplinkSection.parse({ prefix: 'acme', egress: { auditMaxBytes: 4096, auditKeep: 2 } });
    const g = new EgressGate(cfg, 'plantA', dir, 'mqtt://up:1883', silent);
    for (let i = 0; i < 200; i++) g.approve({ kind: 'status', status });
    const base = join(dir, 'egress-audit.log');
    expect(existsSync(`${base}.1`)).toBe(true);
    expect(existsSync(`${base}.2`)).toBe(true);
    expect(existsSync(`${base}.3`)).toBe(false);
    for (const f of [base, `${base}.1`, `${base}.2`]) if (existsSync(f)) expect(statSync(f).size).toBeLessThan(4096 + 1024);
    expect(readEgressAudit(base).every((l) => l.kind === 'status')).toBe(true);
  });
});
