import { afterEach, describe, expect, it } from 'vitest';
import { createStandaloneAlerting } from '../../agent/alerts/index.js';
import type { AlertManager } from '../../agent/alerts/manager.js';
import type { Alert } from '../../agent/alerts/schema.js';
import type { SummaryExplainer } from '../../agent/alerts/payload.js';
import { EventBus } from '../../agent/events.js';
import { decision, makeConfig, silent, tempDir, templateExplainer } from './helpers.js';

const running: AlertManager[] = [];
afterEach(async () => {
  for (const m of running.splice(0)) await m.stop();
});

function make(
  stateDir: string,
  opts: {
    explainer?: SummaryExplainer;
    uplink?: boolean;
    alerts?: Record<string, unknown>;
    budgetMs?: number;
    publishLocal?: (t: string, p: Buffer) => void;
  } = {},
) {
  const cfg = makeConfig({
    agent: { site: 'plantA' },
    alerts: { openAfter: 2, resolveAfter: 3, cooldownS: 0, ...opts.alerts },
    explain: { budgetMs: opts.budgetMs ?? 100 },
    uplink: opts.uplink ? { enabled: true, broker: { url: 'mqtt://127.0.0.1:1' } } : {},
  });
  const bus = new EventBus(silent);
  const alerts: Alert[] = [];
  bus.on('alert', (a) => alerts.push(a.payload as Alert));
  const m = createStandaloneAlerting(cfg, {
    log: silent,
    bus,
    explainer: opts.explainer ?? templateExplainer,
    stateDir,
    agentId: 'edge-1',
    version: '0.1.0',
    publishLocal: opts.publishLocal,
  });
  running.push(m);
  return { m, bus, alerts };
}

describe('alert manager', () => {
  it('emits v1 alerts with facts-based summaries and queues them in the outbox', async () => {
    const { m, bus, alerts } = make(tempDir('mgr'), { uplink: true });
    await m.start();
    for (let i = 0; i < 2; i++) bus.emit('decision', decision('pump-1', 2.2, 1_700_000_000_000 + i * 100));
    expect(alerts).toHaveLength(0); // nothing awaited on the hot path
    await m.flush();
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect(a).toMatchObject({
      v: 1,
      asset: 'pump-1',
      site: 'plantA',
      state: 'open',
      severity: 'warning',
      agentId: 'edge-1',
      agentVersion: '0.1.0',
      replayed: false,
      firstSeen: '2023-11-14T22:13:20.000Z',
    });
    expect(a.id).toBe(`${a.alertId}:0`);
    expect(a.evidence[0]).toMatchObject({ signal: 'vibration', unit: 'mm/s', baseline: 2.5 });
    expect(a.evidence[0]!.deviation).toBeCloseTo(a.evidence[0]!.value - 2.5);
    expect(a.summary).toMatchObject({ source: 'template', model: 'template-v1' });
    expect(a.summary.text).toMatch(/vibration/i);
    expect(m.outbox.stats()).toMatchObject({ queued: 1, enqueued: 1 });
    // Not yet connected upstream: the queued row is flagged as late.
    expect(m.outbox.readyHeads()[0]).toMatchObject({ id: a.id, replayed: true });
  });

  it('never holds an alert longer than the summary budget', async () => {
    const hanging: SummaryExplainer = { explain: () => new Promise(() => undefined) };
    const { m, bus, alerts } = make(tempDir('budget'), { explainer: hanging, budgetMs: 150 });
    await m.start();
    const t0 = performance.now();
    for (let i = 0; i < 2; i++) bus.emit('decision', decision('pump-1', 2.2));
    await m.flush();
    const waited = performance.now() - t0;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.summary.source).toBe('template');
    expect(waited).toBeLessThan(150 + 50 + 200);
    expect(m.stats().summaries.timeouts).toBe(1);
  });

  it('restores lifecycle state after a restart: no re-open storm, same alert resolves', async () => {
    const dir = tempDir('restart');
    const a = make(dir, { uplink: true });
    await a.m.start();
    const assets = ['p1', 'p2', 'p3', 'p4', 'p5'];
    for (let i = 0; i < 2; i++) for (const x of assets) a.bus.emit('decision', decision(x, 2.2));
    await a.m.flush();
    expect(a.alerts.map((x) => x.state)).toEqual(['open', 'open', 'open', 'open', 'open']);
    await a.m.stop();
    running.splice(running.indexOf(a.m), 1);

    const b = make(dir, { uplink: true });
    await b.m.start();
    expect(b.m.stats().open).toBe(5);
    for (let i = 0; i < 10; i++) for (const x of assets) b.bus.emit('decision', decision(x, 2.2));
    await b.m.flush();
    expect(b.alerts).toHaveLength(0); // still the same open alerts, nothing re-opened
    for (let i = 0; i < 3; i++) for (const x of assets) b.bus.emit('decision', decision(x, 0.2));
    await b.m.flush();
    expect(b.alerts.map((x) => x.state)).toEqual(Array(5).fill('resolved'));
    expect(new Set(b.alerts.map((x) => x.alertId))).toEqual(new Set(a.alerts.map((x) => x.alertId)));
    // The outbox rows of the first run are still there (uplink never connected), now all flagged replayed.
    expect(b.m.outbox.stats().queued).toBe(10);
  });

  it('local action: publishes on the plant side within the decision, once per episode, rate-limited', async () => {
    const published: Array<{ topic: string; payload: string }> = [];
    const { m, bus } = make(tempDir('local'), {
      alerts: { localActions: { enabled: true, rules: [{ minSeverity: 'critical', topic: 'plc/{asset}/cmd', minIntervalS: 60 }] } },
      publishLocal: (topic, payload) => published.push({ topic, payload: payload.toString() }),
    });
    await m.start();
    bus.emit('decision', decision('p1', 2.2));
    bus.emit('decision', decision('p1', 2.2)); // opens as a warning: below the rule
    expect(published).toHaveLength(0);
    bus.emit('decision', decision('p1', 5)); // escalates to critical
    expect(published).toHaveLength(1); // synchronously, inside emit()
    expect(published[0]!.topic).toBe('plc/p1/cmd');
    expect(JSON.parse(published[0]!.payload)).toMatchObject({ command: 'safe-stop', asset: 'p1' });
    bus.emit('decision', decision('p1', 6));
    for (let i = 0; i < 3; i++) bus.emit('decision', decision('p1', 0.1)); // resolved
    for (let i = 0; i < 2; i++) bus.emit('decision', decision('p1', 5)); // new episode inside minIntervalS
    expect(published).toHaveLength(1);
    expect(m.stats().localActions).toMatchObject({ fired: 1, rateLimited: 1 });
  });
});
