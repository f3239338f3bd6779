/**
 * Memory-flat check: the agent (the built CLI when dist/ exists, else the
 * tsx host) at a fixed rate with spikes, so alerts keep opening and
 * resolving, for N minutes. RSS (/proc) and V8 heap used (/metrics, or the
 * host's snapshot) are sampled every 5 s; the slope of a least-squares line
 * through the samples after the first fifth (start-up and JIT warm-up
 * excluded) is the growth in MB/hour. Heap flat + RSS rising points at native
 * memory (ONNX Runtime, SQLite); heap rising points at a JS leak.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentConfig, AgentProc, type AgentSetup } from './agent.js';
import { cpuSeconds, freePort, Proc, rssMb, sleep } from './procs.js';
import type { FromGen, ToGen } from './protocol.js';

export interface SoakResult {
  minutes: number;
  rate: number;
  via: 'dist-cli' | 'tsx-host';
  rssStartMb: number;
  rssEndMb: number;
  rssSlopeMbPerHour: number;
  heapStartMb: number;
  heapEndMb: number;
  heapSlopeMbPerHour: number;
  decisions: number;
  deadlineMisses: number;
  cpuPct: number;
  /** [minutes since start, RSS MB, heap MB] every 5 s. */
  samples: Array<[number, number, number]>;
}

/** Least-squares slope of y over x. */
export function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

interface Probe {
  pid: number;
  heapMb(): Promise<number>;
  counts(): Promise<{ decisions: number; misses: number }>;
  stop(): Promise<void>;
}

async function cliProbe(cli: string, dir: string, setup: AgentSetup, nodeArgs: string[]): Promise<Probe> {
  const port = await freePort();
  const cfg = agentConfig(setup);
  cfg.observe = { http: { enabled: true, port } };
  const file = join(dir, 'agent-soak.json');
  writeFileSync(file, JSON.stringify(cfg));
  const p = new Proc('cli-soak', process.execPath, [...nodeArgs, cli, 'run', '--config', file]);
  const base = `http://127.0.0.1:${port}`;
  const metric = async (name: string): Promise<number> => {
    const text = await fetch(`${base}/metrics`).then((r) => r.text());
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text);
    return m ? Number(m[1]) : NaN;
  };
  for (let t0 = Date.now(); ; await sleep(50)) {
    if (p.exited) throw new Error(`the CLI exited during start-up:\n${p.lastOutput()}`);
    if (Date.now() - t0 > 60_000) throw new Error(`the CLI did not serve /healthz within 60 s:\n${p.lastOutput()}`);
    if (
      await fetch(`${base}/healthz`).then(
        () => true,
        () => false,
      )
    )
      break;
  }
  return {
    pid: p.pid,
    heapMb: async () => (await metric('edge_sentinel_process_nodejs_heap_size_used_bytes')) / 1048576,
    counts: async () => ({
      decisions: await metric('edge_sentinel_decisions_total'),
      misses: await metric('edge_sentinel_deadline_misses_total'),
    }),
    stop: () => p.kill(),
  };
}

async function hostProbe(dir: string, setup: AgentSetup, nodeArgs: string[]): Promise<Probe> {
  const a = new AgentProc(dir, setup, 'soak', nodeArgs);
  await a.ready();
  return {
    pid: a.pid,
    heapMb: async () => (await a.raw()).heapUsedMb,
    counts: async () => {
      const s = await a.raw();
      return { decisions: s.decisions, misses: s.deadlineMisses };
    },
    stop: () => a.stop(),
  };
}

export async function soak(
  cli: string | undefined,
  dir: string,
  setup: AgentSetup,
  nodeArgs: string[],
  gen: Proc<ToGen, FromGen>,
  rate: number,
  minutes: number,
  injectEveryMs: number,
): Promise<SoakResult> {
  const ms = minutes * 60_000;
  const probe = cli ? await cliProbe(cli, dir, setup, nodeArgs) : await hostProbe(dir, setup, nodeArgs);
  try {
    const c0 = await probe.counts();
    const cpu0 = cpuSeconds(probe.pid);
    const t0 = Date.now();
    const samples: Array<[number, number, number]> = [];
    const run = gen.request({ type: 'run', id: 1e9, rate, ms, injectEveryMs }, 'done', ms + 60_000, (m) => m.id === 1e9);
    let finished = false;
    void run.finally(() => (finished = true));
    while (!finished) {
      samples.push([(Date.now() - t0) / 60_000, rssMb(probe.pid), Math.round((await probe.heapMb()) * 10) / 10]);
      await Promise.race([sleep(5000), run]);
    }
    await run;
    const c1 = await probe.counts();
    const cpuPct = Math.round(((cpuSeconds(probe.pid) - cpu0) / ((Date.now() - t0) / 1000)) * 1000) / 10;
    const steady = samples.filter(([m]) => m >= minutes / 5);
    const perHour = (i: 1 | 2): number => Math.round(slope(steady.map((s): [number, number] => [s[0] / 60, s[i]])) * 10) / 10;
    return {
      minutes,
      rate,
      via: cli ? 'dist-cli' : 'tsx-host',
      rssStartMb: steady[0]?.[1] ?? 0,
      rssEndMb: steady[steady.length - 1]?.[1] ?? 0,
      rssSlopeMbPerHour: perHour(1),
      heapStartMb: steady[0]?.[2] ?? 0,
      heapEndMb: steady[steady.length - 1]?.[2] ?? 0,
      heapSlopeMbPerHour: perHour(2),
      decisions: c1.decisions - c0.decisions,
      deadlineMisses: c1.misses - c0.misses,
      cpuPct,
      samples,
    };
  } finally {
    await probe.stop();
  }
}
