import { describe, expect, it } from 'vitest';
import { TripUnit } from '../../agent/alerts/trips.js';
import { AgentStats } from '../../agent/observe/stats.js';
import { decision, makeConfig, silent } from './helpers.js';

function unit(trips: Array<{ topic: string } & Record<string, unknown>>) {
  const cfg = makeConfig({ agent: { site: 's1' }, alerts: { localActions: { enabled: true, trips } } });
  const sent: Array<{ topic: string; payload: string; qos: number }> = [];
  const stats = new AgentStats();
  const t = new TripUnit(
    cfg.alerts,
    cfg.agent.site,
    (topic, p, o) => sent.push({ topic, payload: p.toString(), qos: o?.qos ?? -1 }),
    stats,
    silent,
  );
  return { t, sent, stats };
}

describe('trips (local actions on the decision itself)', () => {
  it('fires after N scans in a row at or above the ratio, once per excursion, re-armed by N scans below', () => {
    const { t, sent, stats } = unit([{ ratio: 3, scans: 3, topic: 'plc/{asset}/cmd' }]);
    const step = (score: number): void => t.onDecision(decision('P-1', score), 0);
    step(5);
    step(5);
    step(1); // broken: the count starts again
    step(5);
    step(5);
    expect(sent).toHaveLength(0);
    step(5);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.topic).toBe('plc/P-1/cmd');
    expect(JSON.parse(sent[0]!.payload)).toEqual({ command: 'safe-stop', asset: 'P-1', reason: 'trip', ratio: 5, z: 0 });
    expect(sent[0]!.qos).toBe(1);
    for (let i = 0; i < 10; i++) step(5); // still tripped: no repeat
    step(1);
    step(1);
    for (let i = 0; i < 5; i++) step(5); // only 2 scans below: not re-armed
    expect(sent).toHaveLength(1);
    for (let i = 0; i < 3; i++) step(1);
    for (let i = 0; i < 3; i++) step(5); // re-armed, trips again: never rate-limited
    expect(sent).toHaveLength(2);
    expect(stats.tripsFired).toBe(2);
  });

  it('trips on |z| of any signal, per asset, only for the listed assets, and ignores learning decisions', () => {
    const { t, sent } = unit([{ z: 8, scans: 1, assets: ['P-2'], topic: 'plc/{asset}/stop', payload: '{asset}:{severity}:{z}' }]);
    t.onDecision({ ...decision('P-2', 0.5), phase: 'learning' }, 20);
    t.onDecision(decision('P-1', 0.5), 20);
    expect(sent).toHaveLength(0);
    t.onDecision(decision('P-2', 0.5), 9);
    expect(sent.map((s) => s.payload)).toEqual(['P-2:info:9.00']);
  });

  it('needs a level: the config refuses a trip with neither ratio nor z', () => {
    expect(() => makeConfig({ alerts: { localActions: { trips: [{ topic: 'x' }] } } })).toThrow(/a trip needs a level/);
    expect(() => makeConfig({ alerts: { localActions: { trips: [{ topic: 'plc/+/cmd', z: 8 }] } } })).toThrow(/no MQTT wildcards/);
  });
});
