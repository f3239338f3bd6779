/**
 * Start-up to first decision with the real CLI (`node dist/agent/cli/main.js
 * run --config F`, what a user runs after `npm run build`) on a learned state
 * dir, so the learning phase is excluded: from spawn to the first decision
 * reported by /healthz while the load generator streams samples. The same
 * run gives the footprint (RSS) under load without the tsx loader, whose
 * hooks thread adds ~30 MB to the bench's own agent host.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentConfig, type AgentSetup } from './agent.js';
import { freePort, Proc, rssSampler, sleep, wall } from './procs.js';
import type { FromGen, ToGen } from './protocol.js';

/** Path of the built CLI, when `npm run build` has been run. */
export function builtCli(repo: string): string | undefined {
  const p = join(repo, 'dist', 'agent', 'cli', 'main.js');
  return existsSync(p) ? p : undefined;
}

/** What one run of the built CLI showed. */
export interface CliRun {
  startupMs: number;
  /** Peak RSS while the load ran. */
  rssMb: number;
  decisions: number;
  deadlineMisses: number;
}

interface Health {
  decisions?: number;
  deadlineMisses?: number;
}

/**
 * Spawns the CLI on a learned state dir, streams 1k samples/s until /healthz
 * reports a decision (start-up time, from spawn), then runs `rate` samples/s
 * with spikes for `ms` while sampling its RSS.
 */
export async function cliRun(
  cli: string,
  dir: string,
  setup: AgentSetup,
  gen: Proc<ToGen, FromGen>,
  rate: number,
  ms: number,
  injectEveryMs: number,
  nodeArgs: string[] = [],
): Promise<CliRun> {
  const port = await freePort();
  const cfg = agentConfig(setup);
  cfg.observe = { http: { enabled: true, port } };
  const file = join(dir, `agent-cli-${setup.explain}.json`);
  writeFileSync(file, JSON.stringify(cfg, null, 2));
  const health = (): Promise<Health | undefined> =>
    fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.json() as Promise<Health>,
      () => undefined,
    );
  gen.send({ type: 'run', id: -10, rate: 1000, ms: 0, injectEveryMs: 0 });
  const t0 = wall();
  const p = new Proc<{ type: 'none' }, { type: 'none' }>('cli', process.execPath, [...nodeArgs, cli, 'run', '--config', file]);
  try {
    let startupMs = 0;
    for (;;) {
      if (p.exited) throw new Error(`the CLI exited during start-up:\n${p.lastOutput()}`);
      if (wall() - t0 > 60_000) throw new Error(`the CLI made no decision within 60 s:\n${p.lastOutput()}`);
      const h = await health();
      if (h?.decisions) {
        startupMs = Math.round(wall() - t0);
        break;
      }
      await sleep(5);
    }
    const h0 = (await health()) ?? {};
    const rss = rssSampler(p.pid);
    await gen.request({ type: 'run', id: -11, rate, ms, injectEveryMs }, 'done', ms + 30_000, (m) => m.id === -11);
    await sleep(500);
    const mem = rss.stop();
    const h1 = (await health()) ?? {};
    return {
      startupMs,
      rssMb: mem.peak,
      decisions: (h1.decisions ?? 0) - (h0.decisions ?? 0),
      deadlineMisses: (h1.deadlineMisses ?? 0) - (h0.deadlineMisses ?? 0),
    };
  } finally {
    await gen.request({ type: 'run', id: -12, rate: 0, ms: 1, injectEveryMs: 0 }, 'done', 30_000, (m) => m.id === -12);
    await p.kill();
  }
}
