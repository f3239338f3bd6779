import { afterEach, describe, expect, it, vi } from 'vitest';
import { healthSection } from '../../agent/config/sections/observe.js';
import { HealthRegistry, statusLine } from '../../agent/observe/health.js';
import { hotPathAlive, watchHotPath } from '../../agent/observe/hotpath-health.js';
import { AgentStats } from '../../agent/observe/stats.js';
import { memoryLogger } from '../helpers/log.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('HealthRegistry', () => {
  it('a component is the worst of its conditions; the snapshot lists degraded and down ones in report order', () => {
    const { log } = memoryLogger();
    const h = new HealthRegistry(log);
    h.register('uplink');
    h.register('plant');
    expect(h.snapshot()).toMatchObject({ status: 'ok', degraded: [], down: [] });
    h.set('uplink', 'audit', 'degraded', 'audit_write_failed', 'disk full');
    h.set('uplink', 'connection', 'down', 'uplink_unreachable', 'no connection for 30 s');
    h.set('history', 'history', 'degraded', 'history_unreachable', 'ECONNREFUSED');
    const s = h.snapshot();
    expect(s.status).toBe('down');
    expect(s.down).toEqual(['uplink']);
    expect(s.degraded).toEqual(['history']);
    expect(Object.keys(s.components)).toEqual(['plant', 'uplink', 'history']);
    expect(s.components.uplink).toMatchObject({ state: 'down', reason: 'uplink_unreachable' });
    h.clear('uplink', 'connection');
    expect(h.get('uplink')).toMatchObject({ state: 'degraded', reason: 'audit_write_failed' });
    expect(statusLine(h.snapshot())).toBe('degraded: uplink degraded (audit_write_failed), history degraded (history_unreachable)');
    h.clear('uplink', 'audit');
    h.clear('history', 'history');
    expect(statusLine(h.snapshot())).toBe('ok: all components healthy');
  });

  it('logs one line per change, not one per retry, and keeps since across retries', () => {
    const { log, lines } = memoryLogger();
    let now = Date.parse('2026-01-01T00:00:00Z');
    const h = new HealthRegistry(log, () => now);
    const changes: string[] = [];
    h.onChange((name, c) => changes.push(`${name}:${c.state}:${c.reason}`));
    for (let i = 0; i < 50; i++) {
      now += 500;
      h.set('uplink', 'connection', 'degraded', 'uplink_reconnecting', `ECONNREFUSED (${i + 1} failed attempts)`);
    }
    expect(h.get('uplink')).toMatchObject({ since: '2026-01-01T00:00:00.500Z', message: 'ECONNREFUSED (50 failed attempts)' });
    now += 1000;
    h.clear('uplink', 'connection', 'connected');
    const health = lines.filter((l) => l['module'] === undefined && l['component'] === 'uplink');
    expect(health.map((l) => [l['level'], l['state'], l['reason']])).toEqual([
      [40, 'degraded', 'uplink_reconnecting'],
      [30, 'ok', 'ok'],
    ]);
    expect(health[1]).toMatchObject({ was: 'degraded', afterS: 25.5 });
    expect(changes).toEqual(['uplink:degraded:uplink_reconnecting', 'uplink:ok:ok']);
  });

  it('escalates a lasting degraded condition to down, unless it changed first', () => {
    vi.useFakeTimers();
    const { log } = memoryLogger();
    const h = new HealthRegistry(log);
    const esc = { afterMs: 30_000, reason: 'plant_unreachable' as const, message: 'no connection for 30 s' };
    h.set('plant', 'connection', 'degraded', 'plant_reconnecting', 'lost', esc);
    vi.advanceTimersByTime(29_000);
    // A retry with the same reason keeps the original timer (it does not restart the 30 s).
    h.set('plant', 'connection', 'degraded', 'plant_reconnecting', 'lost again', esc);
    vi.advanceTimersByTime(1_500);
    expect(h.get('plant')).toMatchObject({ state: 'down', reason: 'plant_unreachable', message: 'no connection for 30 s' });
    h.clear('plant', 'connection');
    h.set('plant', 'connection', 'degraded', 'plant_reconnecting', 'lost', esc);
    vi.advanceTimersByTime(10_000);
    h.clear('plant', 'connection');
    vi.advanceTimersByTime(60_000);
    expect(h.get('plant')).toMatchObject({ state: 'ok' });
    h.stop();
  });

  it('a failing listener or probe is logged and does not stop the others', () => {
    const { log, lines } = memoryLogger();
    const h = new HealthRegistry(log);
    const seen: string[] = [];
    h.onChange(() => {
      throw new Error('listener bug');
    });
    h.onChange((n) => seen.push(n));
    h.addProbe(() => {
      throw new Error('probe bug');
    });
    h.addProbe(() => h.set('outbox', 'fill', 'degraded', 'outbox_filling', '85 %'));
    h.start(60_000);
    h.stop();
    expect(seen).toEqual(['outbox']);
    expect(lines.filter((l) => l['msg'] === 'health probe failed' || l['msg'] === 'health listener failed')).toHaveLength(2);
  });

  it('hot path: an idle plant is fine; accepted samples without decisions for stallAfterS is down, and the watchdog stops', () => {
    vi.useFakeTimers();
    const { log } = memoryLogger();
    const h = new HealthRegistry(log);
    const stats = new AgentStats();
    watchHotPath(h, stats, healthSection.parse({ stallAfterS: 5 }));
    h.start(1000);
    vi.advanceTimersByTime(20_000); // idle: nothing arrives, nothing decided
    expect(h.get('hotpath')?.state).toBe('ok');
    for (let s = 0; s < 4; s++) {
      stats.samplesIn += 100;
      stats.decisions += 100;
      vi.advanceTimersByTime(1000);
    }
    stats.rejected.late += 50; // rejected samples owe no decision
    stats.samplesIn += 50;
    vi.advanceTimersByTime(10_000);
    expect(hotPathAlive(h)).toBe(true);
    for (let s = 0; s < 7; s++) {
      stats.samplesIn += 100; // accepted, never decided
      vi.advanceTimersByTime(1000);
    }
    expect(h.get('hotpath')).toMatchObject({ state: 'down', reason: 'hotpath_stalled' });
    expect(hotPathAlive(h)).toBe(false);
    stats.decisions += 700;
    vi.advanceTimersByTime(1000);
    expect(hotPathAlive(h)).toBe(true);
    h.stop();
  });
});

describe('docs/operations.md', () => {
  it('explains every reason code the agent can report', async () => {
    const { readFileSync } = await import('node:fs');
    const { HEALTH_REASONS, COMPONENTS } = await import('../../agent/observe/health-reasons.js');
    const doc = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');
    const rows = new Map(
      [...doc.matchAll(/^\| `([a-z_]+)` \| ([a-zA-Z]+|any) \| (ok|degraded|down) \|/gm)].map((m) => [m[1]!, [m[2], m[3]]]),
    );
    for (const [code, info] of Object.entries(HEALTH_REASONS)) {
      expect(rows.get(code), `docs/operations.md row for ${code}`).toEqual([info.component === '*' ? 'any' : info.component, info.state]);
    }
    expect([...rows.keys()].filter((k) => !(k in HEALTH_REASONS))).toEqual([]);
    for (const c of COMPONENTS) expect(doc).toContain(`| \`${c}\` |`);
  });
});
