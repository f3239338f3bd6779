/**
 * The hot thread (agent/hot/): the cold path cannot stall a decision. The
 * plant is a publisher in its own worker thread (so it keeps publishing while
 * the test's main thread is blocked), through the real Mosquitto.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../agent/config/load.js';
import { Agent } from '../../agent/controller.js';
import { defaultExtensions } from '../../agent/extensions.js';
import { threadPolicy } from '../../agent/hot/sched.js';
import type { HotThread } from '../../agent/hot/thread.js';
import type { Sample } from '../../agent/types.js';
import { memoryLogger } from '../helpers/log.js';
import { uniq, waitFor } from '../helpers/wait.js';

const URL = 'mqtt://127.0.0.1:1883';
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A plant in a worker thread: `signals` plain-number topics of asset `asset`, one scan every `periodMs`. */
function plant(prefix: string, signals: number, periodMs: number): Worker {
  const code = `
    const { createRequire } = require('node:module');
    const mqtt = createRequire(${JSON.stringify(join(process.cwd(), 'package.json'))})('mqtt');
    const c = mqtt.connect(${JSON.stringify(URL)}, { protocolVersion: 4 });
    let k = 0;
    c.on('connect', () => setInterval(() => {
      k++;
      for (let s = 0; s < ${signals}; s++) c.publish('${prefix}/m1/s' + s, String(10 * (s + 1) + Math.sin(k / 7) + Math.random() * 0.1));
    }, ${periodMs}));`;
  return new Worker(code, { eval: true });
}

async function agentWith(prefix: string, isolation: 'thread' | 'inline'): Promise<Agent> {
  const stateDir = mkdtempSync(join(tmpdir(), 'es-hot-'));
  dirs.push(stateDir);
  const cfg = parseConfig({
    agent: { id: `hot-${isolation}`, stateDir },
    plant: { broker: { url: URL }, subscriptions: [{ topic: `${prefix}/{asset}/{signal}`, decoder: 'number' }] },
    assets: { defaults: { learnSamples: 50, deadlineMs: 50 } },
    detect: { isolation },
    observe: { http: { enabled: false } },
  });
  const agent = new Agent(cfg, memoryLogger('warn').log, defaultExtensions());
  return agent;
}

/** Blocks this thread's event loop for `ms` (a stand-in for a long SQLite commit, a GC pause, a slow listener). */
function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe('hot thread', () => {
  it('keeps deciding while the main thread is blocked; inline, the same block stops every decision', async () => {
    const made: Record<string, number> = {};
    for (const isolation of ['thread', 'inline'] as const) {
      const prefix = uniq(`hot-${isolation}`);
      const agent = await agentWith(prefix, isolation);
      const samples: Sample[] = [];
      agent.bus.on('sample', (s) => samples.push(s));
      await agent.start();
      const p = plant(prefix, 3, 5);
      try {
        await waitFor(() => agent.pipeline.phases()[0]?.phase === 'detecting', 20_000, `${isolation}: learning`);
        await waitFor(() => agent.stats.decisions > 100, 10_000, `${isolation}: decisions`);
        const d0 = agent.stats.decisions;
        block(600);
        // Stats are shared memory: read right after the block, before this thread handles anything queued.
        made[isolation] = agent.stats.decisions - d0;
        // Raw samples for the local history still reach this thread, in batches, with their names.
        await waitFor(() => samples.length > 100, 5000, `${isolation}: samples on the main thread`);
        expect(samples.at(-1)).toMatchObject({ asset: 'm1', signal: expect.stringMatching(/^s[012]$/) });
      } finally {
        await p.terminate();
        await agent.stop();
      }
    }
    // ~120 scans arrive in 600 ms: the hot thread decided them meanwhile; inline, nothing can run during the block.
    expect(made['thread']).toBeGreaterThan(20);
    expect(made['inline']).toBe(0);
  }, 90_000);
});

describe('hot thread scheduling (detect.schedule)', () => {
  it('puts the hot thread alone under SCHED_RR at the configured priority and CPU, the main thread untouched', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'es-sched-'));
    dirs.push(stateDir);
    const cfg = parseConfig({
      agent: { id: 'sched', stateDir },
      plant: { broker: { url: URL }, subscriptions: [{ topic: `${uniq('sched')}/{asset}/{signal}`, decoder: 'number' }] },
      detect: { schedule: { policy: 'rr', priority: 7, cpus: '0' } },
      observe: { http: { enabled: false } },
    });
    const agent = new Agent(cfg, memoryLogger('warn').log, defaultExtensions());
    await agent.start();
    try {
      const hot = agent.hot as HotThread;
      expect(hot.tid).toBeGreaterThan(process.pid);
      expect(hot.schedule).toBe('SCHED_RR priority 7, CPUs 0');
      const read = (p: string): string => readFileSync(p, 'utf8');
      // This test runs as root here (CI too); unprivileged, the thread logs why and runs at normal priority.
      expect(threadPolicy(process.pid, hot.tid, read)).toEqual({ policy: 2, rtPriority: 7 });
      expect(threadPolicy(process.pid, process.pid, read)).toEqual({ policy: 0, rtPriority: 0 });
      expect(readFileSync(`/proc/${process.pid}/task/${hot.tid}/status`, 'utf8')).toMatch(/Cpus_allowed_list:\s+0\n/);
    } finally {
      await agent.stop();
    }
  });
});
