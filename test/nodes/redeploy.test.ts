/**
 * Issue #7: a config node owns the detector session, the explain worker and
 * alert state, and a redeploy must release them (node-red/node-red#3992 is
 * what happens when close() does not wait). 20 full redeploys, then count
 * what the process really holds: OS threads (each explain worker is one),
 * file descriptors on the alert databases, and the adapters' live counters.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './build.js';
import { adapterModule, collect, helper, nodeModules, startServer, stopServer, tempUserDir, until } from './red-helper.js';

let userDir = '';
beforeAll(async () => {
  await ensureBuilt();
  userDir = tempUserDir();
  helper.settings({ userDir });
  await startServer();
}, 120_000);
afterAll(async () => {
  await stopServer();
});

const threads = (): number => readdirSync('/proc/self/task').length;
/** Open descriptors on files under the Node-RED userDir (SQLite db, -wal, -shm of each alert node). */
function stateFds(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(userDir)) n++;
    } catch (err) {
      // The descriptor closed between readdir and readlink (it was readdir's own): not ours to count.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return n;
}

function flow(budgetMs: number): object[] {
  return [
    { id: 'c1', type: 'sentinel-config', learnSamples: 20, deadlineMs: 20, explainMode: 'lm', budgetMs },
    { id: 's1', type: 'sentinel-score', sentinel: 'c1', topicPattern: '', wires: [['a1', 'h1'], []] },
    { id: 'a1', type: 'sentinel-alert', sentinel: 'c1', summary: 'config', wires: [['e1']] },
    { id: 'e1', type: 'sentinel-explain', sentinel: 'c1', wires: [['h2']] },
    { id: 'h1', type: 'helper' },
    { id: 'h2', type: 'helper' },
  ];
}

describe('redeploys', () => {
  it('release the model session, the explain worker and the alert database every time (20 full redeploys)', async () => {
    const { live } = await adapterModule();
    const threads0 = threads();
    await helper.load(nodeModules, flow(250));
    await until(() => live.explainers === 1 && live.alertManagers === 1 && live.pipelines === 1, 'the first deploy to start', 20_000);
    const threads1 = threads();
    const fds1 = stateFds();
    expect(threads1).toBeGreaterThan(threads0); // the explain worker is a real thread: the measure can see it
    expect(fds1).toBeGreaterThan(0); // and the alert database is open
    let ts = Date.parse('2026-01-01T00:00:00Z');
    for (let i = 0; i < 20; i++) {
      // A changed setting each time, so every deploy really rebuilds the config node and its users.
      await helper.setFlows(flow(251 + i), 'full');
      await until(
        () => live.explainers === 1 && live.alertManagers === 1 && live.pipelines === 1 && live.modelSessions === 1,
        `deploy ${i + 1} to start`,
        20_000,
      );
      const got = collect('h1');
      for (let k = 0; k < 3; k++) helper.getNode('s1').receive({ topic: 'P-1', payload: { a: 1 + k, b: 2 }, timestamp: (ts += 1000) });
      await until(() => got.length === 3, `decisions after deploy ${i + 1}`);
    }
    // Workers exit asynchronously after terminate(); give them a moment before counting.
    await until(() => threads() <= threads1, `threads back to ${threads1} (now ${threads()})`, 10_000);
    expect(live).toEqual({ modelSessions: 1, explainers: 1, pipelines: 1, alertManagers: 1 });
    expect(stateFds()).toBe(fds1);
    console.log(
      `redeploy: threads before ${threads0}, one deploy ${threads1}, after 20 redeploys ${threads()}; state fds ${fds1} → ${stateFds()}`,
    );
    await helper.unload();
    expect(live).toEqual({ modelSessions: 0, explainers: 0, pipelines: 0, alertManagers: 0 });
    // The explain worker is gone; ONNX Runtime keeps one thread for its process-wide environment,
    // created by the first session ever (at most one, whatever the number of redeploys).
    await until(
      () => threads() <= threads1 - 1,
      `the worker thread to end after unload (now ${threads()}, one deploy ${threads1})`,
      10_000,
    );
    expect(threads()).toBeLessThanOrEqual(threads0 + 1);
    expect(stateFds()).toBe(0);
  }, 120_000);
});
