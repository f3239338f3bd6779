/**
 * sentinel-explain with the local language model (worker thread) and
 * sentinel-sparkplug-in with real Sparkplug B protobufs, in the real runtime.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { alertSchema, type Alert } from '../../agent/alerts/schema.js';
import { collect, helper, type Msg, nodeModules, until, useNodeRed } from './red-helper.js';

const require = createRequire(import.meta.url);
const spb = (require('sparkplug-payload') as { get(ns: string): { encodePayload(p: object): Uint8Array } }).get('spBv1.0');

useNodeRed();

/** CPU time (user + system, ms) of the main thread only, from Linux /proc (the main thread's tid is the pid). */
function mainThreadCpuMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 (utime, stime) in clock ticks; after the ")" the list starts at field 3.
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
}

function alert(i: number, state: Alert['state'] = 'open'): Alert {
  const t = Date.parse('2026-03-01T10:00:00Z') + i * 60_000;
  return {
    v: 1,
    id: `a${i}:0`,
    alertId: `a${i}`,
    seq: 0,
    asset: `P-${100 + i}`,
    site: 'north',
    state,
    severity: i % 2 ? 'critical' : 'warning',
    firstSeen: new Date(t).toISOString(),
    lastSeen: new Date(t + 42_000).toISOString(),
    sent: new Date(t + 42_100).toISOString(),
    score: 80 + i,
    threshold: 17.5,
    evidence: [
      {
        signal: 'temp',
        unit: '°C',
        value: 71.5 + i,
        baseline: 60.1,
        spread: 0.3,
        deviation: 11.4 + i,
        z: 38 + i,
        ratio: (71.5 + i) / 60.1,
      },
      { signal: 'rpm', unit: 'rpm', value: 1502, baseline: 1500, spread: 2, deviation: 2, z: 1, ratio: 1.0013 },
    ],
    diagnosis: { pattern: i % 2 ? 'spike' : 'level_shift', signals: ['temp'], confidence: 0.9 },
    summary: { text: 'template text', source: 'template', model: 'template-v1' },
    agentId: 'gw1',
    agentVersion: '0.1.0',
    replayed: false,
  };
}

describe('sentinel-explain (local language model)', () => {
  it('writes summaries in the worker thread, off the thread that runs the flow', async () => {
    await helper.load(nodeModules, [
      { id: 'c1', type: 'sentinel-config', learnSamples: 300, deadlineMs: 5, explainMode: 'lm', budgetMs: 3000, kind: 'pump' },
      { id: 'e1', type: 'sentinel-explain', sentinel: 'c1', wires: [['h1']] },
      { id: 'h1', type: 'helper' },
    ]);
    const out = collect('h1');
    const cpu0 = { main: mainThreadCpuMs(), all: process.cpuUsage() };
    const t0 = performance.now();
    for (let i = 0; i < 12; i++) helper.getNode('e1').receive({ payload: alert(i), topic: 'x' });
    await until(() => out.length === 12, '12 summaries', 30_000);
    const ms = performance.now() - t0;
    const mainMs = mainThreadCpuMs() - cpu0.main;
    const d = process.cpuUsage(cpu0.all);
    const allMs = (d.user + d.system) / 1000;
    const bySource = { lm: 0, template: 0 };
    for (const m of out) {
      const a = alertSchema.parse(m.payload);
      expect(m.summary).toBe(a.summary.text);
      expect(a.summary.text.length).toBeGreaterThan(20);
      expect(a.summary.text).toContain(a.asset);
      bySource[a.summary.source]++;
      if (a.summary.source === 'lm') expect(a.summary.model).not.toBe('template-v1');
    }
    console.log(
      `explain: 12 alerts in ${ms.toFixed(0)} ms, lm ${bySource.lm}, template ${bySource.template}; CPU main thread ${mainMs} ms of ${allMs.toFixed(0)} ms`,
    );
    // The built-in model ships in models/lm/explain-lm: most summaries must come from it (the rest fail its fact check).
    expect(bySource.lm).toBeGreaterThanOrEqual(6);
    // Generation runs in the worker thread: the flow's thread spends a small part of the CPU the summaries cost.
    // (CPU time, not wall time: a loaded machine delays threads but does not bill them.)
    expect(mainMs).toBeLessThan(allMs * 0.5);
  }, 60_000);
});

describe('sentinel-sparkplug-in', () => {
  it('decodes BIRTH aliases and alias-only DATA into per-asset samples (control metrics left out); bad payloads reach catch', async () => {
    await helper.load(nodeModules, [
      { id: 'p1', type: 'sentinel-sparkplug-in', wires: [['h1']] },
      { id: 'h1', type: 'helper' },
      { id: 'k1', type: 'catch', scope: null, uncaught: false, wires: [['hk']] },
      { id: 'hk', type: 'helper' },
    ]);
    const out = collect('h1');
    const caught = collect('hk');
    const p1 = helper.getNode('p1');
    const ts = Date.parse('2026-03-01T10:00:00Z');
    const enc = (o: object): Buffer => Buffer.from(spb.encodePayload(o));
    p1.receive({
      topic: 'spBv1.0/line3/NBIRTH/gw1',
      payload: enc({ timestamp: ts, seq: 0, metrics: [{ name: 'bdSeq', type: 'UInt64', value: 0 }] }),
    });
    p1.receive({
      topic: 'spBv1.0/line3/DBIRTH/gw1/P-101',
      payload: enc({
        timestamp: ts,
        seq: 1,
        metrics: [
          { name: 'temp', alias: 1, type: 'Double', value: 60.5 },
          { name: 'running', alias: 2, type: 'Boolean', value: true },
          { name: 'label', alias: 3, type: 'String', value: 'x' },
        ],
      }),
    });
    p1.receive({
      topic: 'spBv1.0/line3/DDATA/gw1/P-101',
      payload: enc({
        timestamp: ts + 1000,
        seq: 2,
        metrics: [
          { alias: 1, type: 'Double', value: 61.25, timestamp: ts + 1000 },
          { alias: 2, type: 'Boolean', value: false },
        ],
      }),
    });
    p1.receive({ topic: 'spBv1.0/line3/DDATA/gw1/P-101', payload: Buffer.from([0xff, 0xff, 0xff]) });
    p1.receive({ topic: 'spBv1.0/line3/DDATA/gw1/P-101', payload: 'not a buffer' });
    await until(() => out.length === 2 && caught.length === 2, '2 outputs and 2 caught errors');
    // The NBIRTH's bdSeq is session control, not a signal: the node itself yields no message.
    expect(out[0]).toMatchObject({ asset: 'P-101', payload: { temp: 60.5, running: 1 }, timestamp: ts });
    expect(out[1]).toMatchObject({
      asset: 'P-101',
      payload: { temp: 61.25, running: 0 },
      timestamp: ts + 1000,
      sparkplugTopic: 'spBv1.0/line3/DDATA/gw1/P-101',
    });
    const errs = caught.map((m: Msg) => (m.error as { message: string }).message);
    expect(errs.some((e) => /does not decode/.test(e))).toBe(true);
    expect(errs.some((e) => /must be a Buffer/.test(e))).toBe(true);
  });
});
