import { describe, expect, it } from 'vitest';
import { DECISION_BACKLOG, DecisionPort, SampleForwarder } from '../../agent/hot/ports.js';
import type { FromHot } from '../../agent/hot/protocol.js';
import { AgentStats } from '../../agent/observe/stats.js';
import type { Decision } from '../../agent/types.js';

const decision = (anomalous: boolean): Decision => ({
  asset: 'a',
  ts: 1,
  phase: 'detecting',
  score: anomalous ? 5 : 0.1,
  threshold: 1,
  anomalous,
  source: 'model',
  latencyUs: 1,
  deadlineMissed: false,
});
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('hot thread → main thread ports', () => {
  it('batches decisions per turn; when the main thread stops taking them, sheds normal ones (counted), never an anomaly', async () => {
    const posted: FromHot[] = [];
    const stats = new AgentStats();
    const port = new DecisionPort((m) => posted.push(m), stats);
    for (let i = 0; i < 10; i++) port.push(decision(false));
    await turn();
    expect(posted).toHaveLength(1); // one message for the turn's ten decisions
    expect(posted[0]).toMatchObject({ type: 'decisions' });
    // The main thread is stalled: it consumes nothing while the hot thread keeps deciding.
    for (let i = 0; i < DECISION_BACKLOG + 500; i++) port.push(decision(i % 1000 === 0));
    await turn();
    const kept = posted.flatMap((m) => (m.type === 'decisions' ? m.batch : []));
    const pushed = 10 + DECISION_BACKLOG + 500;
    // Nothing is lost without a count; the backlog stays at the bound (plus anomalies, which always pass).
    expect(kept.length + stats.decisionsShed).toBe(pushed);
    expect(stats.decisionsShed).toBeGreaterThan(400);
    expect(kept.length).toBeLessThanOrEqual(DECISION_BACKLOG + 1 + 51);
    expect(kept.filter((d) => d.anomalous)).toHaveLength(Math.ceil((DECISION_BACKLOG + 500) / 1000));
    // It catches up: room again.
    stats.decisionsConsumed = kept.length;
    port.push(decision(false));
    await turn();
    expect(posted.at(-1)).toMatchObject({ type: 'decisions', batch: [{ anomalous: false }] });
  });

  it('forwards raw samples in bounded batches with their names, and sheds (counted) when the main thread stalls', () => {
    const posted: FromHot[] = [];
    const stats = new AgentStats();
    const fwd = new SampleForwarder((m) => posted.push(m), stats);
    for (let i = 0; i < 5000; i++) fwd.push('P-1', i % 2 ? 'temp' : 'flow', i, 1000 + i);
    expect(posted).toHaveLength(1); // a full batch of 4096 goes at once; the rest waits for the timer or the next batch
    const b = posted[0]!;
    if (b.type !== 'samples') throw new Error('not a sample batch');
    expect(b.count).toBe(4096);
    expect(b.assets).toEqual([[0, 'P-1']]);
    expect(b.signals).toEqual([
      [0, 'flow'],
      [1, 'temp'],
    ]);
    expect([...b.data.subarray(4, 8)]).toEqual([0, 1, 1, 1001]);
    fwd.flush();
    for (let i = 0; i < 200_000; i++) fwd.push('P-1', 'temp', i, i);
    fwd.flush();
    expect(stats.samplesShed).toBeGreaterThan(0);
    const sent = posted.reduce((n, m) => n + (m.type === 'samples' ? m.count : 0), 0);
    expect(sent + stats.samplesShed).toBe(205_000);
    expect(sent).toBeLessThanOrEqual(100_000);
  });
});
