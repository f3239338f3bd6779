import { describe, expect, it } from 'vitest';
import { uplinkSection } from '../../agent/config/sections/uplink.js';
import { DigestCollector, buildDigest, digestMessage, pluralKind } from '../../agent/explain/digest.js';
import { EgressGate } from '../../agent/uplink/index.js';
import { silent, tempDir } from '../alerts/helpers.js';
import type { AlertFacts } from '../../agent/types.js';
import { PUMP_DRIFT } from './fixtures/facts.js';

const open = (
  asset: string,
  kind: string | undefined,
  pattern: AlertFacts['pattern'],
  severity: AlertFacts['severity'] = 'warning',
): AlertFacts => ({
  ...PUMP_DRIFT,
  asset,
  assetKind: kind,
  pattern,
  severity,
});

describe('alert-storm digest', () => {
  it('groups the same kind and pattern into one sentence, largest group first', () => {
    const d = buildDigest([
      { facts: open('P-1', 'pump', 'drift'), at: 0 },
      { facts: open('C-7', 'compressor', 'spike', 'critical'), at: 5_000 },
      { facts: open('P-2', 'pump', 'drift', 'critical'), at: 10_000 },
      { facts: open('P-3', 'pump', 'drift', 'info'), at: 20_000 },
      { facts: open('P-3', 'pump', 'drift', 'info'), at: 21_000 },
      { facts: open('7', undefined, 'oscillation', 'info'), at: 40_000 },
    ]);
    expect(d.text).toBe(
      '5 assets alerted within 40 s: 3 pumps (P-1, P-2 and P-3) show gradual drift (worst: critical); Compressor C-7 shows sudden spike (critical); 7 shows oscillation.',
    );
    expect(d.groups.map((g) => g.assets.length)).toEqual([3, 1, 1]);
    expect(pluralKind('heat exchanger')).toBe('heat exchangers');
    expect(pluralKind('press')).toBe('presses');
  });

  it('emits one digest per window once enough distinct assets opened alerts', () => {
    let t = 0;
    const out: string[] = [];
    const c = new DigestCollector(
      30,
      3,
      (d) => out.push(d.text),
      () => t,
    );
    c.add(open('P-1', 'pump', 'drift'));
    c.add({ ...open('P-1', 'pump', 'drift'), state: 'update' });
    t = 1000;
    c.add(open('P-2', 'pump', 'drift'));
    expect(c.flush()).toBeNull(); // two assets: no digest
    c.add(open('P-1', 'pump', 'drift'));
    c.add(open('P-2', 'pump', 'drift'));
    t = 3000;
    c.add(open('P-3', 'pump', 'drift'));
    expect(c.flush()?.assets).toEqual(['P-1', 'P-2', 'P-3']);
    expect(out).toEqual(['3 assets alerted within 2 s: 3 pumps (P-1, P-2 and P-3) show gradual drift (worst: warning).']);
    expect(c.counters).toEqual({ digests: 1, alertsDigested: 3 });
    c.stop();
  });
});

describe('digest upstream', () => {
  it('goes through the egress gate as its own kind, on <prefix>/<site>/digest, and only when allowed', async () => {
    const d = digestMessage(
      buildDigest([
        { facts: open('P-1', 'pump', 'drift'), at: 0 },
        { facts: open('P-2', 'pump', 'drift'), at: 1000 },
      ]),
      'plantA',
      'edge-1',
    );
    const make = (allow?: string[]) =>
      new EgressGate(
        uplinkSection.parse({ prefix: 'acme', ...(allow ? { egress: { allow } } : {}) }),
        'plantA',
        tempDir('digest'),
        'mqtt://up:1883',
        silent,
      );
    const sent: Array<{ topic: string; payload: Buffer; retain: boolean }> = [];
    const client = {
      publish: (topic: string, payload: Buffer, opts: { qos: 0 | 1; retain: boolean }, cb: (err?: Error) => void) => {
        sent.push({ topic, payload, retain: opts.retain });
        cb();
      },
    };
    await make().publish(client, { kind: 'digest', digest: d });
    expect(sent[0]?.topic).toBe('acme/plantA/digest');
    expect(sent[0]?.retain).toBe(false);
    expect(JSON.parse(sent[0]!.payload.toString())).toEqual(d);
    await expect(make(['alert', 'status']).publish(client, { kind: 'digest', digest: d })).rejects.toThrow(/not in uplink.egress.allow/);
    await expect(make().publish(client, { kind: 'digest', digest: { ...d, raw: [1, 2] } as never })).rejects.toThrow(/not a valid digest/);
  });
});
