/**
 * The history sink against a real InfluxDB 1.x (influxd started on free ports
 * with a temp dir): schema creation, write + InfluxQL read-back, and an
 * outage mid-run driven through the real Pipeline + ONNX model.
 */
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../agent/config/load.js';
import { historySection, type HistoryConfig } from '../../agent/config/sections/history.js';
import type { ModelRunner } from '../../agent/detect/model.js';
import { openReplayRunner } from '../../agent/eval/replay.js';
import { EventBus } from '../../agent/events.js';
import { HealthRegistry } from '../../agent/observe/health.js';
import { HistorySink } from '../../agent/history/sink.js';
import { createHistory } from '../../agent/history/index.js';
import type { AgentContext } from '../../agent/controller.js';
import { AgentStats } from '../../agent/observe/stats.js';
import { Pipeline } from '../../agent/pipeline.js';
import { influxQuery, startInflux, type InfluxServer } from './influx-server.js';

const log = pino({ level: 'silent' });
let influx: InfluxServer;

beforeAll(async () => {
  influx = await startInflux();
});
afterAll(async () => {
  await influx?.close();
});

function sinkConfig(db: string, over: Record<string, unknown> = {}): HistoryConfig & { url: string } {
  const c = historySection.parse({
    url: influx.url,
    database: db,
    flushIntervalMs: 20,
    retryIntervalMs: 50,
    requestTimeoutMs: 1000,
    batchSize: 200,
    retentionPolicy: { name: 'es_rp', duration: '7d' },
    ...over,
  });
  return { ...c, url: influx.url };
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${influx.output().slice(-1500)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('history sink (real InfluxDB)', () => {
  it('creates the database and retention policy on start', async () => {
    const sink = new HistorySink(sinkConfig('es_schema'), new EventBus(log), log);
    await sink.start();
    await until('schema', () => sink.state === 'up');
    const dbs = await influxQuery(influx.url, '', 'SHOW DATABASES');
    expect(dbs.map((r) => r['name'])).toContain('es_schema');
    const rps = await influxQuery(influx.url, 'es_schema', 'SHOW RETENTION POLICIES ON es_schema');
    const rp = rps.find((r) => r['name'] === 'es_rp');
    expect(rp).toMatchObject({ duration: '168h0m0s', default: true });
    await sink.stop();
    // Idempotent: a second start on an existing schema is fine.
    const again = new HistorySink(sinkConfig('es_schema'), new EventBus(log), log);
    await again.start();
    await until('schema again', () => again.state === 'up');
    await again.stop();
  });

  it('writes samples, scores, detections, alerts and events; InfluxQL reads them back', async () => {
    const bus = new EventBus(log);
    const sink = new HistorySink(sinkConfig('es_rw', { downsample: { assets: { slow: { everyMs: 1000 } } } }), bus, log);
    await sink.start();
    const t0 = Math.floor((Date.now() - 60_000) / 1000) * 1000; // whole seconds: five full downsampling buckets
    for (let i = 0; i < 50; i++) {
      bus.emit('sample', { asset: 'P-101', signal: 'pressure', value: 5 + i / 100, ts: t0 + i * 100 });
      bus.emit('sample', { asset: 'slow', signal: 'temp', value: i, ts: t0 + i * 100 });
      bus.emit('decision', {
        asset: 'P-101',
        ts: t0 + i * 100,
        phase: 'detecting',
        score: i / 10,
        threshold: 4,
        anomalous: i / 10 >= 4,
        source: 'model',
        latencyUs: 300,
        deadlineMissed: false,
        ...(i / 10 >= 4
          ? {
              evidence: [{ signal: 'pressure', value: 5.4, baseline: 5, spread: 0.1, z: 4.2, ratio: 1.08 }],
              diagnosis: { pattern: 'level_shift' as const, signals: ['pressure'], confidence: 0.8 },
            }
          : {}),
      });
    }
    bus.emit('decision', {
      asset: 'P-101',
      ts: t0 - 1,
      phase: 'learning',
      score: 0,
      threshold: 0,
      anomalous: false,
      source: 'fallback',
      latencyUs: 1,
      deadlineMissed: false,
    });
    const iso = (ms: number): string => new Date(ms).toISOString();
    bus.emit('alert', {
      state: 'open',
      asset: 'P-101',
      payload: {
        v: 1,
        id: 'a1:0',
        alertId: 'a1',
        seq: 0,
        asset: 'P-101',
        site: 'plant',
        state: 'open',
        severity: 'warning',
        firstSeen: iso(t0 + 3000),
        lastSeen: iso(t0 + 4000),
        sent: iso(t0 + 4000),
        score: 4.1,
        threshold: 4,
        evidence: [],
        diagnosis: { pattern: 'level_shift', signals: ['pressure'], confidence: 0.8 },
        summary: { text: 'P-101: pressure rose to 5.4 bar', source: 'template', model: 'template-v1' },
        agentId: 'gw',
        agentVersion: '0.1.0',
        replayed: false,
      },
    });
    bus.emit('phase', { asset: 'P-101', phase: 'detecting', samples: 300 });
    // 50 raw + 4 closed buckets (the 5th closes at stop) + 50 scores + 10 detections + alert + phase.
    await until('points written', () => sink.counters.written >= 50 + 4 + 50 + 10 + 1 + 1);
    await sink.stop(); // flushes the open downsampling bucket

    // The docs/history.md query: an asset's last hour of scores.
    const scores = await influxQuery(
      influx.url,
      'es_rw',
      `SELECT "score", "threshold" FROM "score" WHERE "asset" = 'P-101' AND time > now() - 1h`,
    );
    expect(scores).toHaveLength(50); // the learning decision is not written
    expect(scores[10]).toMatchObject({ time: t0 + 1000, score: 1, threshold: 4 });
    const raw = await influxQuery(influx.url, 'es_rw', `SELECT count("value") FROM "sample" WHERE "asset" = 'P-101'`);
    expect(raw[0]?.['count']).toBe(50);
    const slow = await influxQuery(influx.url, 'es_rw', `SELECT "value", "min", "max", "n" FROM "sample" WHERE "asset" = 'slow'`);
    expect(slow).toHaveLength(5);
    expect(slow[0]).toMatchObject({ value: 4.5, min: 0, max: 9, n: 10 });
    const det = await influxQuery(influx.url, 'es_rw', `SELECT * FROM "detection"`);
    expect(det).toHaveLength(10);
    expect(det[0]).toMatchObject({ asset: 'P-101', pattern: 'level_shift', top_signal: 'pressure', top_z: 4.2 });
    const al = await influxQuery(influx.url, 'es_rw', `SELECT * FROM "alert"`);
    expect(al).toEqual([
      expect.objectContaining({
        asset: 'P-101',
        state: 'open',
        severity: 'warning',
        alert_id: 'a1',
        summary: 'P-101: pressure rose to 5.4 bar',
        time: t0 + 4000,
      }),
    ]);
    const ph = await influxQuery(influx.url, 'es_rw', `SELECT * FROM "phase"`);
    expect(ph[0]).toMatchObject({ asset: 'P-101', phase: 'detecting', samples: 300 });
    expect(sink.counters.dropped).toEqual({ overflow: 0, rejected: 0, stop: 0 });
  });

  it('starts while InfluxDB is down (no start-up failure) and creates the schema once it is up', async () => {
    const late = await startInflux();
    try {
      await late.stop();
      const c = historySection.parse({
        url: late.url,
        database: 'es_late',
        flushIntervalMs: 20,
        retryIntervalMs: 50,
        requestTimeoutMs: 500,
      });
      const bus = new EventBus(log);
      const sink = new HistorySink({ ...c, url: late.url }, bus, log);
      await sink.start();
      bus.emit('sample', { asset: 'A', signal: 's', value: 1, ts: Date.now() });
      await until('down reported', () => sink.state === 'down');
      expect(sink.health()).toMatchObject({ state: 'down', buffered: 1 });
      expect(String(sink.health()['lastError'])).not.toBe('');
      await late.start();
      await until('schema created later', () => sink.state === 'up' && sink.ring.size === 0);
      await sink.stop();
      const rows = await influxQuery(late.url, 'es_late', 'SELECT "value" FROM "sample"');
      expect(rows).toHaveLength(1);
    } finally {
      await late.close();
    }
  });

  it('createHistory is off without a URL', () => {
    const config = parseConfig({});
    expect(createHistory({ config, log, bus: new EventBus(log) } as unknown as AgentContext)).toBeUndefined();
    const health = new HealthRegistry(log);
    const on = createHistory({
      config: parseConfig({ history: { url: influx.url } }),
      log,
      bus: new EventBus(log),
      health,
    } as unknown as AgentContext);
    expect(on?.name).toBe('history');
    expect(health.snapshot().components.history).toMatchObject({ state: 'ok' });
  });

  describe('InfluxDB stopped mid-run', () => {
    let runner: ModelRunner;
    beforeAll(async () => {
      runner = await openReplayRunner();
    });
    afterAll(async () => {
      await runner?.stop();
    });

    it('keeps detecting, bounds the buffer, counts drops, and resumes writing after a restart', async () => {
      const cfg = parseConfig({ assets: { defaults: { learnSamples: 200, deadlineMs: 1000 } } });
      const bus = new EventBus(log);
      const stats = new AgentStats();
      const pipeline = new Pipeline(cfg, runner, undefined, bus, stats, log);
      const cap = 400;
      const sink = new HistorySink(sinkConfig('es_outage', { buffer: { maxPoints: cap }, write: { samples: true } }), bus, log);
      await sink.start();
      const healthEvents: boolean[] = [];
      bus.on('health', (e) => e.kind === 'history' && healthEvents.push(e.ok));
      const N = 2400;
      const t0 = Date.now() - N * 1000;
      let row = 0;
      const feed = async (rows: number): Promise<number> => {
        let worst = 0;
        for (const end = row + rows; row < end; row++) {
          const a = performance.now();
          const x = Math.sin(row / 15);
          const at = performance.now();
          pipeline.ingest('M-1', 'speed', 1500 + 5 * x + (row % 7), t0 + row * 1000, at);
          pipeline.ingest('M-1', 'current', 12 + x * 0.3 + (row % 5) / 10, t0 + row * 1000, at);
          pipeline.endScan('M-1', at); // one row is one scan
          await pipeline.flush();
          worst = Math.max(worst, performance.now() - a);
        }
        return worst;
      };

      await feed(600);
      await until('phase 1 written', () => sink.ring.size === 0 && sink.counters.written > 0 && sink.state === 'up');
      const writtenBefore = sink.counters.written;

      await influx.stop();
      const decisionsBefore = stats.decisions;
      const worstRowMs = await feed(1200);
      // Detection is unaffected: every scan (row) decided, no row waited on InfluxDB.
      expect(stats.decisions - decisionsBefore).toBe(1200);
      expect(worstRowMs).toBeLessThan(500);
      await until('outage noticed', () => sink.state === 'down');
      expect(sink.ring.size).toBeLessThanOrEqual(cap);
      expect(sink.counters.dropped.overflow).toBeGreaterThan(1000);
      expect(sink.counters.writeErrors).toBeGreaterThan(0);
      expect(sink.health()).toMatchObject({ state: 'down', capacity: cap });
      const reg = new Registry();
      sink.metrics(reg);
      const text = await reg.metrics();
      expect(text).toMatch(new RegExp(`edge_sentinel_history_dropped_total\\{reason="overflow"\\} ${sink.counters.dropped.overflow}`));
      expect(text).toMatch(/edge_sentinel_history_up 0/);

      await influx.start();
      await feed(600);
      await until('writes resumed', () => sink.state === 'up' && sink.ring.size === 0);
      await pipeline.stop();
      await sink.stop();
      expect(healthEvents).toEqual([false, true]);
      expect(sink.counters.written).toBeGreaterThan(writtenBefore);
      // Drop-oldest kept the newest history: the last row's score and sample are there.
      const last = await influxQuery(influx.url, 'es_outage', `SELECT last("score") FROM "score" WHERE "asset" = 'M-1'`);
      expect(last[0]?.['time']).toBe(t0 + (N - 1) * 1000);
      const counted = await influxQuery(influx.url, 'es_outage', `SELECT count("score") FROM "score"`);
      const points = await influxQuery(influx.url, 'es_outage', `SELECT count("value") FROM "sample"`);
      // Every point the sink counts as written is in the database.
      expect(Number(points[0]?.['count'])).toBeGreaterThan(0);
      expect(Number(counted[0]?.['count'])).toBeGreaterThan(0);
      expect(sink.counters.dropped.stop).toBe(0);
    });
  });
});
