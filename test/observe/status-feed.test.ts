/**
 * The status page's feed: decisions into per-asset time buckets (peak score,
 * last threshold, anomalous and missed counts), closed buckets handed out once
 * per client, the ring bounded in time and in assets, alerts and health events.
 */
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../agent/alerts/schema.js';
import { EventBus } from '../../agent/events.js';
import { StatusFeed } from '../../agent/observe/status/feed.js';
import type { Decision } from '../../agent/types.js';
import { memoryLogger } from '../helpers/log.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function decision(asset: string, ts: number, score: number, extra: Partial<Decision> = {}): Decision {
  return {
    asset,
    ts,
    phase: 'detecting',
    score,
    threshold: 10,
    anomalous: score >= 10,
    source: 'model',
    latencyUs: 300,
    deadlineMissed: false,
    ...extra,
  };
}

function setup(buckets = 4, maxAssets = 10) {
  const bus = new EventBus(memoryLogger().log);
  const feed = new StatusFeed(bus, { bucketMs: 1000, buckets, maxAssets, learnSamples: () => 3 });
  feed.start();
  return { bus, feed };
}

describe('status feed', () => {
  it('keeps the peak score, the last threshold and the counts per bucket; hands out closed buckets once', () => {
    const { bus, feed } = setup();
    bus.emit('decision', decision('P-1', T0 + 100, 2));
    bus.emit('decision', decision('P-1', T0 + 400, 12, { threshold: 11 }));
    bus.emit('decision', decision('P-1', T0 + 900, 5, { deadlineMissed: true, source: 'fallback' }));
    // Nothing closed yet: the bucket is still filling.
    expect(feed.assets()[0]?.series.t).toEqual([]);
    bus.emit('decision', decision('P-1', T0 + 1200, 1));
    const [a] = feed.assets();
    expect(a?.series).toEqual({ t: [T0 / 1000], score: [12], threshold: [10], anomalous: [1], missed: [1] });
    expect(a).toMatchObject({ phase: 'detecting', decisions: 4, anomalies: 1, misses: 1, upTo: 0 });
    // Asked again with what was sent: nothing new.
    expect(feed.assets(() => 0)[0]?.series.t).toEqual([]);
    bus.emit('decision', decision('P-1', T0 + 2100, 1));
    expect(feed.assets(() => 0)[0]?.series.t).toEqual([(T0 + 1000) / 1000]);
  });

  it('a late decision joins the newest bucket; the ring keeps only its span', () => {
    const { bus, feed } = setup(4);
    for (let s = 0; s < 10; s++) bus.emit('decision', decision('P-1', T0 + s * 1000, s));
    bus.emit('decision', decision('P-1', T0 + 2500, 50)); // late: source time before the newest bucket
    const [a] = feed.assets();
    // 4 slots: the newest (9 s, still open, now holding the late 50) and the three closed before it.
    expect(a?.series.t).toEqual([6, 7, 8].map((s) => (T0 + s * 1000) / 1000));
    bus.emit('decision', decision('P-1', T0 + 10_000, 0));
    expect(feed.assets(() => a!.upTo)[0]?.series.score).toEqual([50]);
  });

  it('learning decisions count progress, not points; a refit starts it again', () => {
    const { bus, feed } = setup();
    for (let i = 0; i < 3; i++) bus.emit('decision', decision('M-2', T0 + i, 0, { phase: 'learning' }));
    expect(feed.assets()[0]).toMatchObject({ phase: 'learning', learned: 3, learnTarget: 3, upTo: -1 });
    bus.emit('phase', { asset: 'M-2', phase: 'detecting', samples: 3 });
    bus.emit('phase', { asset: 'M-2', phase: 'learning', samples: 0 });
    expect(feed.assets()[0]).toMatchObject({ phase: 'learning', learned: 0 });
  });

  it('charts at most maxAssets and counts the rest', () => {
    const { bus, feed } = setup(4, 2);
    for (const a of ['A', 'B', 'C', 'C']) bus.emit('decision', decision(a, T0, 1));
    expect(feed.assets().map((a) => a.asset)).toEqual(['A', 'B']);
    expect(feed.uncharted).toBe(2);
  });

  it('lists open alerts (latest transition, most severe first) and the resolved ones; health events bounded', () => {
    const { bus, feed } = setup();
    const alert = (id: string, state: Alert['state'], severity: Alert['severity'], text: string): Alert =>
      ({
        v: 1,
        id: `${id}:0`,
        alertId: id,
        seq: 0,
        asset: `A-${id}`,
        site: 's',
        state,
        severity,
        firstSeen: new Date(T0).toISOString(),
        lastSeen: new Date(T0).toISOString(),
        sent: new Date(T0).toISOString(),
        score: 3,
        threshold: 1,
        evidence: [],
        diagnosis: { pattern: 'spike', signals: [], confidence: 1 },
        summary: { text, source: 'template', model: 'template-v1' },
        agentId: 'a',
        agentVersion: '0',
        replayed: false,
      }) as Alert;
    const send = (a: Alert) => bus.emit('alert', { state: a.state, asset: a.asset, payload: a });
    send(alert('1', 'open', 'warning', 'one opened'));
    send(alert('2', 'open', 'critical', 'two opened'));
    send(alert('1', 'update', 'warning', 'one still'));
    expect(feed.alerts().open.map((a) => [a.alertId, a.summary])).toEqual([
      ['2', 'two opened'],
      ['1', 'one still'],
    ]);
    send(alert('2', 'resolved', 'critical', 'two back to normal'));
    expect(feed.alerts().open.map((a) => a.alertId)).toEqual(['1']);
    expect(feed.alerts().resolved.map((a) => a.summary)).toEqual(['two back to normal']);
    for (let i = 0; i < 30; i++) bus.emit('health', { kind: 'deadline', ok: i % 2 === 0, message: `m${i}` });
    expect(feed.health()).toHaveLength(20);
    expect(feed.health().at(-1)?.message).toBe('m29');
    feed.stop();
    bus.emit('decision', decision('Z', T0, 1));
    expect(feed.assets()).toEqual([]);
  });
});
