/**
 * score → alert → explain through the real Node-RED 4 runtime
 * (node-red-node-test-helper), the real ONNX detector and real SQLite state.
 */
import { describe, expect, it } from 'vitest';
import { alertSchema, type Alert } from '../../agent/alerts/schema.js';
import type { Decision } from '../../agent/types.js';
import { collect, helper, lcg, type Msg, nodeModules, until, useNodeRed } from './red-helper.js';

useNodeRed();

const config = {
  id: 'c1',
  type: 'sentinel-config',
  site: 'lineA',
  learnSamples: 300,
  deadlineMs: 50,
  openAfter: 2,
  resolveAfter: 5,
  cooldownS: 0,
  explainMode: 'template',
  units: '{"temp":"°C"}',
  kind: 'pump',
};

function flow(extra: object[] = []): object[] {
  return [
    config,
    { id: 's1', type: 'sentinel-score', sentinel: 'c1', topicPattern: 'plant/{asset}/{signal}', wires: [['a1', 'h1'], ['h2']] },
    { id: 'a1', type: 'sentinel-alert', sentinel: 'c1', summary: 'template', wires: [['e1', 'h3']] },
    { id: 'e1', type: 'sentinel-explain', sentinel: 'c1', wires: [['h4']] },
    { id: 'h1', type: 'helper' },
    { id: 'h2', type: 'helper' },
    { id: 'h3', type: 'helper' },
    { id: 'h4', type: 'helper' },
    ...extra,
  ];
}

/** The statuses a node showed, in order. */
function statuses(id: string): string[] {
  const out: string[] = [];
  helper
    .getNode(id)
    .on('call:status', ((call: { args: [{ text?: string }] }) => out.push(call.args[0]?.text ?? '')) as (arg: never) => void);
  return out;
}

describe('sentinel-score → sentinel-alert → sentinel-explain', () => {
  it('learns, detects, opens and resolves an alert, and explains it from the payload alone', async () => {
    await helper.load(nodeModules, flow());
    const [all, anomalies, alerts, explained] = [collect('h1'), collect('h2'), collect('h3'), collect('h4')];
    const scoreStatus = statuses('s1');
    const alertStatus = statuses('a1');
    const s1 = helper.getNode('s1');
    const rnd = lcg(3);
    let t = Date.parse('2026-01-01T00:00:00Z');
    const send = (temp: number): void => {
      t += 1000;
      s1.receive({ topic: 'plant/P-7/all', payload: { temp: temp + rnd(), rpm: 1500 + 5 * rnd() }, timestamp: t });
    };
    for (let i = 0; i < 300; i++) send(60);
    await until(() => all.length === 300, '300 learning decisions');
    expect((all[0]!.payload as Decision).phase).toBe('learning');
    expect(all[0]!.asset).toBe('P-7');
    // The fit runs off the hot path; keep feeding normal samples until decisions come from the detecting phase.
    let normal = 0;
    while (!all.some((m) => (m.payload as Decision).phase === 'detecting')) {
      send(60);
      normal++;
      await new Promise((r) => setTimeout(r, 20));
      if (normal > 200) throw new Error('asset never reached the detecting phase');
    }
    await until(() => all.length === 300 + normal, 'one decision per message');
    const detecting = all.map((m) => m.payload as Decision).filter((d) => d.phase === 'detecting');
    for (const d of detecting) {
      expect(d.latencyUs).toBeGreaterThan(0);
      expect(typeof d.deadlineMissed).toBe('boolean');
      expect(['model', 'fallback']).toContain(d.source);
    }
    expect(scoreStatus.some((s) => s.startsWith('learning P-7'))).toBe(true);
    // A clear fault: temperature +4 (about 14 learned standard deviations) for 6 samples, then back to normal.
    for (let i = 0; i < 6; i++) send(64);
    await until(() => alerts.some((m) => m.state === 'open'), 'an open alert');
    // The windowed features decay over tens of samples after a fault; resolution needs resolveAfter normal ones below the deadband.
    for (let i = 0; i < 200; i++) send(60);
    await until(() => alerts.some((m) => m.state === 'resolved'), 'the resolution');
    await until(() => explained.length === alerts.length, 'a summary per alert');
    expect(anomalies.length).toBeGreaterThanOrEqual(2);
    for (const m of anomalies) expect((m.payload as Decision).anomalous).toBe(true);
    await until(() => scoreStatus.some((s) => s.startsWith('detecting')), 'a detecting status');
    expect(alertStatus.some((s) => s.startsWith('alerting: 1 open'))).toBe(true);
    const open = alertSchema.parse(alerts[0]!.payload);
    expect(open).toMatchObject({ v: 1, asset: 'P-7', site: 'lineA', state: 'open' });
    expect(alerts[0]!.topic).toBe('lineA/P-7/alert');
    expect(open.evidence.find((e) => e.signal === 'temp')?.unit).toBe('°C');
    expect(open.summary.source).toBe('template');
    expect(open.summary.text).toContain('Pump P-7');
    // The explain node rebuilds the facts from the payload alone: the template sentence must be identical.
    for (let i = 0; i < alerts.length; i++) {
      const a = alerts[i]!.payload as Alert;
      const e = explained.find((m) => (m.payload as Alert).id === a.id);
      expect(e, `summary of ${a.id}`).toBeDefined();
      expect(e!.summary).toBe(a.summary.text);
      alertSchema.parse(e!.payload);
    }
  });

  it('makes one decision per scan from single-value messages, sent with the message that completed the scan', async () => {
    await helper.load(nodeModules, flow());
    const all = collect('h1');
    const s1 = helper.getNode('s1');
    const rnd = lcg(5);
    let t = Date.parse('2026-01-01T00:00:00Z');
    const tick = (k: number): void => {
      t += 1000;
      for (const [sig, level] of [
        ['temp', 60],
        ['rpm', 1500],
        ['amps', 12],
      ] as const)
        s1.receive({ topic: `plant/M-${k % 2}/${sig}`, payload: String(level + rnd()), timestamp: t, tick: k });
    };
    // Two assets taking turns, three plain-number messages each per tick. An asset's first tick brings new
    // signals, so it closes when its next tick begins; every later tick is complete at its third message.
    for (let k = 0; k < 20; k++) tick(k);
    await until(() => all.length === 20, 'one decision per scan');
    for (const [a, first] of [
      ['M-0', 0],
      ['M-1', 1],
    ] as const) {
      const mine = all.filter((m) => m.asset === a);
      expect(mine.map((m) => (m.payload as Decision).scan)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
      // The decision travels with the scan's last message; its other messages complete without output.
      expect(mine.map((m) => m.topic)).toEqual(Array.from({ length: 10 }, () => `plant/${a}/amps`));
      expect(mine.map((m) => m.tick)).toEqual(Array.from({ length: 10 }, (_, i) => first + 2 * i));
    }
  });

  it('sends input errors to a catch node (score, alert, explain)', async () => {
    await helper.load(
      nodeModules,
      flow([
        { id: 'k1', type: 'catch', scope: null, uncaught: false, wires: [['hk']] },
        { id: 'hk', type: 'helper' },
      ]),
    );
    const caught = collect('hk');
    helper.getNode('s1').receive({ topic: 'plant/P-1/temp', payload: 'hot' });
    helper.getNode('s1').receive({ payload: 5 });
    helper.getNode('a1').receive({ payload: { hello: 1 } });
    helper.getNode('e1').receive({ payload: { v: 2 } });
    await until(() => caught.length === 4, '4 caught errors');
    const by = (id: string): Msg => caught.find((m) => (m.error as { source: { id: string } }).source.id === id)!;
    expect((by('a1').error as { message: string }).message).toMatch(/not a decision/);
    expect((by('e1').error as { message: string }).message).toMatch(/not a v1 alert/);
    const scoreErrors = caught
      .filter((m) => (m.error as { source: { id: string } }).source.id === 's1')
      .map((m) => (m.error as { message: string }).message);
    expect(scoreErrors.some((e) => /must be a number or an object/.test(e))).toBe(true);
    expect(scoreErrors.some((e) => /no asset/.test(e))).toBe(true);
  });

  it('rejects invalid settings with the schema problem, and the errors reach catch nodes', async () => {
    const bad = { ...config, learnSamples: 5, deadlineMs: 0 };
    await helper.load(nodeModules, [
      bad,
      ...flow([
        { id: 'k1', type: 'catch', scope: null, uncaught: false, wires: [['hk']] },
        { id: 'hk', type: 'helper' },
      ]).slice(1),
    ]);
    const caught = collect('hk');
    helper.getNode('s1').receive({ topic: 'plant/P-1/temp', payload: 1 });
    await until(() => caught.length === 1, 'the caught config error');
    const msg = (caught[0]!.error as { message: string }).message;
    expect(msg).toMatch(/assets\.defaults\.learnSamples: .*got 5/);
    expect(msg).toMatch(/assets\.defaults\.deadlineMs: .*got 0/);
  });

  it("shows the config node's health on its nodes: persistent deadline misses turn the score node yellow, naming the reason", async () => {
    // A 1 µs deadline: every detecting sample misses and the fallback decides (missHealthAfter defaults to 50).
    await helper.load(nodeModules, [{ ...config, deadlineMs: 0.001 }, ...flow().slice(1)]);
    const all = collect('h1');
    const scoreCalls: Array<{ fill?: string; text?: string }> = [];
    helper
      .getNode('s1')
      .on('call:status', ((call: { args: [{ fill?: string; text?: string }] }) => scoreCalls.push(call.args[0])) as (arg: never) => void);
    const s1 = helper.getNode('s1');
    const rnd = lcg(5);
    let t = Date.parse('2026-01-01T00:00:00Z');
    const send = (): void => {
      t += 1000;
      s1.receive({ topic: 'plant/P-9/all', payload: { temp: 60 + rnd(), rpm: 1500 + 5 * rnd() }, timestamp: t });
    };
    for (let i = 0; i < 300; i++) send();
    await until(() => all.length === 300, '300 learning decisions');
    for (let i = 0; i < 400 && !scoreCalls.some((c) => c.text?.includes('hotpath degraded: deadline_misses')); i++) {
      send();
      await new Promise((r) => setTimeout(r, 5));
    }
    const shown = scoreCalls.find((c) => c.text?.includes('hotpath degraded: deadline_misses'));
    expect(
      shown,
      `statuses: ${scoreCalls
        .slice(-3)
        .map((c) => c.text)
        .join(' | ')}`,
    ).toBeDefined();
    expect(shown!.fill).toBe('yellow');
  });
});
