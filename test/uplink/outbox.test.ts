import { describe, expect, it } from 'vitest';
import type { StoredAlert } from '../../agent/alerts/schema.js';
import { openDiskDb } from '../../agent/persist/db.js';
import { outboxSchema } from '../../agent/config/sections/uplink.js';
import { EventBus } from '../../agent/events.js';
import { HealthRegistry } from '../../agent/observe/health.js';
import { watchOutbox } from '../../agent/observe/outbox-health.js';
import { Outbox, type OverflowEvent } from '../../agent/persist/outbox.js';
import { createStandaloneAlerting } from '../../agent/alerts/index.js';
import { join } from 'node:path';
import { decision, makeConfig, silent, tempDir, templateExplainer } from '../alerts/helpers.js';

let n = 0;
function alert(asset: string, state: StoredAlert['state']): StoredAlert {
  n++;
  return {
    v: 1,
    id: `x${n}:0`,
    alertId: `x${n}`,
    seq: 0,
    asset,
    site: 's',
    state,
    severity: 'warning',
    firstSeen: '2025-01-01T00:00:00.000Z',
    lastSeen: '2025-01-01T00:00:01.000Z',
    score: 2,
    threshold: 1,
    evidence: [],
    diagnosis: { pattern: 'spike', signals: [], confidence: 0.5 },
    summary: { text: 'x'.repeat(200), source: 'template', model: 'template' },
    agentId: 'a',
    agentVersion: '1',
  };
}

function open(
  policy: 'drop-oldest-resolved-first' | 'drop-oldest' | 'reject-new',
  maxCount: number,
  maxBytes = 1 << 20,
  dir = tempDir('ob'),
) {
  const db = openDiskDb(dir, join(dir, 'alerts.db'), 'full');
  const ob = new Outbox<StoredAlert>(outboxSchema.parse({ maxCount, maxBytes, overflow: policy }), silent);
  ob.attach(db, true);
  const events: OverflowEvent[] = [];
  ob.onOverflow((e) => events.push(e));
  return { db, ob, events, dir };
}

describe('outbox bounds and overflow policy', () => {
  it('drop-oldest-resolved-first evicts resolutions, then updates, then the oldest open', () => {
    const { ob, events, db } = open('drop-oldest-resolved-first', 4);
    const rows = [alert('a1', 'open'), alert('a1', 'update'), alert('a1', 'resolved'), alert('a2', 'open')];
    for (const r of rows) expect(ob.enqueue(r, { ready: true })).not.toBeNull();
    for (const asset of ['a3', 'a4', 'a5']) expect(ob.enqueue(alert(asset, 'open'), { ready: true })).not.toBeNull();
    expect(events.map((e) => [e.action, e.state, e.id])).toEqual([
      ['dropped', 'resolved', rows[2]!.id],
      ['dropped', 'update', rows[1]!.id],
      ['dropped', 'open', rows[0]!.id],
    ]);
    expect(ob.stats()).toMatchObject({ queued: 4, dropped: 3, rejected: 0, enqueued: 7 });
    expect(ob.readyHeads().map((r) => r.asset)).toEqual(['a2', 'a3', 'a4', 'a5']);
    db.close();
  });

  it('drop-oldest evicts by age whatever the state', () => {
    const { ob, events, db } = open('drop-oldest', 2);
    const a = alert('a1', 'open');
    ob.enqueue(a, { ready: true });
    ob.enqueue(alert('a1', 'resolved'), { ready: true });
    ob.enqueue(alert('a2', 'open'), { ready: true });
    expect(events).toEqual([{ action: 'dropped', id: a.id, asset: 'a1', state: 'open' }]);
    db.close();
  });

  it('reject-new refuses and counts; the bound in bytes holds too; counters survive a reopen', () => {
    const { ob, events, db, dir } = open('reject-new', 100, 2048);
    const size = Buffer.byteLength(JSON.stringify(alert('a1', 'open')));
    const fit = Math.floor(2048 / size);
    for (let i = 0; i < fit; i++) expect(ob.enqueue(alert('a1', 'open'), { ready: true })).not.toBeNull();
    expect(ob.enqueue(alert('a1', 'open'), { ready: true })).toBeNull();
    expect(ob.enqueue(alert('a2', 'open'), { ready: true })).toBeNull();
    expect(events.map((e) => e.action)).toEqual(['rejected', 'rejected']);
    expect(ob.stats()).toMatchObject({ queued: fit, rejected: 2 });
    expect(ob.stats().bytes).toBeLessThanOrEqual(2048);
    db.close();
    const again = open('reject-new', 100, 2048, dir);
    expect(again.ob.stats()).toMatchObject({ queued: fit, rejected: 2, dropped: 0 });
    again.db.close();
  });

  it('holds a row back until finalize() and keeps later rows of its asset behind it', () => {
    const { ob, db } = open('reject-new', 10);
    const first = ob.enqueue(alert('a1', 'open'), { ready: false })!;
    ob.enqueue(alert('a1', 'resolved'), { ready: true });
    ob.enqueue(alert('a2', 'open'), { ready: true });
    expect(ob.readyHeads().map((r) => r.asset)).toEqual(['a2']);
    ob.finalize(first, { ...alert('a1', 'open'), id: 'final:0' });
    expect(ob.readyHeads().map((r) => r.alert.id)).toEqual(['final:0', expect.any(String)]);
    db.close();
  });

  it('reports overflow in the stats and as the outbox component down (never silent)', async () => {
    const cfg = makeConfig({
      alerts: { openAfter: 1, resolveAfter: 1, cooldownS: 0 },
      uplink: { enabled: true, broker: { url: 'mqtt://127.0.0.1:1' }, outbox: { maxCount: 3, overflow: 'reject-new' } },
    });
    const bus = new EventBus(silent);
    const m = createStandaloneAlerting(cfg, {
      log: silent,
      bus,
      explainer: templateExplainer,
      stateDir: tempDir('obm'),
      agentId: 'e',
      version: '1',
    });
    await m.start();
    const health = new HealthRegistry(silent);
    watchOutbox(health, m.outbox, 0.8);
    health.start(60_000);
    expect(health.get('outbox')).toMatchObject({ state: 'ok' });
    for (let i = 0; i < 3; i++) {
      bus.emit('decision', decision('p1', 2));
      bus.emit('decision', decision('p1', 0.1));
    }
    await m.flush();
    expect(m.outbox.stats()).toMatchObject({ queued: 3, rejected: 3 });
    health.stop();
    health.start(60_000); // one more probe run, now
    expect(health.get('outbox')).toMatchObject({ state: 'down', reason: 'outbox_full' });
    expect(health.get('outbox')?.message).toContain('3 alerts dropped or refused');
    health.stop();
    await m.stop();
  });
});
