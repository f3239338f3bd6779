/**
 * What surprised a Node-RED user, each fixed and checked in the real Node-RED 4
 * runtime: the score node says it is ready before its first message; a topic
 * the pattern does not match is warned about once and not scored (it used to
 * become an asset of its own); `{"value": 61.2, "unit": "C"}` on a signal's
 * topic is that signal's value; a message whose samples are all rejected says
 * why, naming the signals.
 */
import { describe, expect, it } from 'vitest';
import type { Decision } from '../../agent/types.js';
import { collect, helper, type Msg, nodeModules, until, useNodeRed } from './red-helper.js';

useNodeRed();

const flow = [
  { id: 'c1', type: 'sentinel-config', site: 's', learnSamples: 20, deadlineMs: 50, explainMode: 'template' },
  { id: 's1', type: 'sentinel-score', sentinel: 'c1', topicPattern: 'plant/{asset}/{signal}', wires: [['h1'], []] },
  { id: 'h1', type: 'helper' },
  { id: 'k1', type: 'catch', scope: null, uncaught: false, wires: [['hk']] },
  { id: 'hk', type: 'helper' },
];

interface SpyCall {
  thisValue: { id: string };
  args: unknown[];
}
/** Calls of a node method (status, warn) made by one node: the test helper spies on Node-RED's node prototype. */
function calls(id: string, method: 'status' | 'warn'): SpyCall[] {
  const spy = (helper.getNode(id) as unknown as Record<string, { getCalls(): SpyCall[] }>)[method]!;
  return spy.getCalls().filter((c) => c.thisValue.id === id);
}
const texts = (id: string): string[] => calls(id, 'status').map((c) => (c.args[0] as { text?: string }).text ?? '');

describe('score node usability', () => {
  it('shows "ready" before the first message', async () => {
    await helper.load(nodeModules, flow);
    await until(() => texts('s1').includes('ready: waiting for samples'), 'the ready status');
    expect(texts('s1')).not.toContain('detecting');
  });

  it('warns once about a topic the pattern does not match, and does not score it', async () => {
    await helper.load(nodeModules, flow);
    const out = collect('h1');
    const caught = collect('hk');
    const s1 = helper.getNode('s1');
    s1.receive({ topic: 'plant/P-1/temp/extra', payload: 5 });
    s1.receive({ topic: 'plant/P-1/temp/extra', payload: 6 });
    s1.receive({ topic: 'plant/P-1/temp', payload: 7 });
    await until(() => out.length === 1, 'the one decision of the matching topic');
    const warned = calls('s1', 'warn').map((c) => String(c.args[0]));
    expect(warned.filter((w) => w.includes('"plant/P-1/temp/extra" does not match the topic pattern plant/{asset}/{signal}'))).toHaveLength(
      1,
    );
    expect(out[0]).toMatchObject({ asset: 'P-1' });
    expect(caught).toEqual([]);
  });

  it('reads {"value": 61.2, "unit": "C"} on plant/P-101/temp as the temp signal', async () => {
    await helper.load(nodeModules, flow);
    const out = collect('h1');
    const caught = collect('hk');
    const s1 = helper.getNode('s1');
    for (let i = 0; i < 25; i++)
      s1.receive({ topic: 'plant/P-101/temp', payload: { value: 61.2 + (i % 5) / 10, unit: 'C' }, timestamp: 1e12 + i * 1000 });
    await until(() => out.length === 25, '25 decisions');
    expect(caught).toEqual([]);
    expect(out.every((m: Msg) => m.asset === 'P-101' && (m.payload as Decision).asset === 'P-101')).toBe(true);
  });

  it('says why every sample of a message was rejected, naming the signals', async () => {
    await helper.load(nodeModules, flow);
    const out = collect('h1');
    const caught = collect('hk');
    const s1 = helper.getNode('s1');
    let t = 1e12;
    const send = (payload: unknown): void => s1.receive({ topic: 'plant/P-2/all', payload, timestamp: (t += 1000) });
    for (let i = 0; i < 25; i++) send({ temp: 60 + (i % 7) / 10 });
    // Keep feeding until the asset has fitted its baseline and detects.
    for (let i = 0; !out.some((m) => (m.payload as Decision).phase === 'detecting'); i++) {
      if (i > 200) throw new Error('asset never reached the detecting phase');
      send({ temp: 60 + (i % 7) / 10 });
      await new Promise((r) => setTimeout(r, 10));
    }
    send({ pressure: 3.1 });
    await until(() => caught.length === 1, 'the caught rejection');
    const msg = (caught[0]!.error as { message: string }).message;
    expect(msg).toContain('no sample of asset "P-2" was accepted (signals: pressure)');
    expect(msg).toContain('a signal the asset did not have while it learned');
  });
});
