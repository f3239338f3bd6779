/**
 * The agent under test: writes its config (unique topics, short learning,
 * uplink to the same Mosquitto under a unique prefix so alerts go end to end
 * through the broker) and runs it in its own process through agent-host.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigInput } from '../../../agent/config/schema.js';
import type { Schedule } from '../../../agent/hot/sched.js';
import { spawnTs, sleep, type Proc } from './procs.js';
import type { FromHost, HostSnap, ToHost } from './protocol.js';
import type { Consumer, ConsumerSnap } from './steps.js';

export interface AgentSetup {
  url: string;
  plantPrefix: string;
  upPrefix: string;
  stateDir: string;
  learnSamples: number;
  explain: 'template' | 'lm';
  /** The outbox's SQLite synchronous mode (the shipped default is 'full': an fsync per commit). */
  outboxSync: 'full' | 'normal';
  /** The hot thread's scheduling (a hardware profile's detect.schedule); default: normal. */
  schedule?: Schedule;
}

/** The agent's config for the bench. Alert rules are set so every injected spike opens an alert. */
export function agentConfig(s: AgentSetup): ConfigInput {
  return {
    agent: { id: 'perf-bench', site: 'bench', stateDir: s.stateDir },
    log: { level: 'warn' },
    plant: {
      broker: { url: s.url, protocolVersion: 4 },
      subscriptions: [
        { topic: `${s.plantPrefix}/{asset}/{signal}`, decoder: 'json', json: { valuePath: 'value', timestampPath: 'ts' }, qos: 0 },
      ],
    },
    assets: { defaults: { learnSamples: s.learnSamples, deadlineMs: 5 } },
    ...(s.schedule && { detect: { schedule: s.schedule } }),
    // openAfter 1: a spike is one anomalous decision (the detector's refractory period zeroes the next ones).
    // cooldownS 0 so a repeated spike on the same asset alerts again; the rest are the shipped defaults.
    alerts: { openAfter: 1, cooldownS: 0 },
    uplink: {
      enabled: true,
      prefix: s.upPrefix,
      broker: { url: s.url, protocolVersion: 4 },
      healthIntervalS: 0,
      outbox: { synchronous: s.outboxSync },
    },
    explain: { mode: s.explain },
    observe: { http: { enabled: true, port: 0 } },
  };
}

/** A running agent host process. */
export class AgentProc implements Consumer {
  readonly name = 'agent' as const;
  readonly proc: Proc<ToHost, FromHost>;
  startMs = 0;

  constructor(dir: string, setup: AgentSetup, tag: string, nodeArgs: string[] = [], nice = 0) {
    const file = join(dir, `agent-${tag}.json`);
    writeFileSync(file, JSON.stringify(agentConfig(setup), null, 2));
    this.proc = spawnTs<ToHost, FromHost>(`agent(${tag})`, join(import.meta.dirname, 'agent-host.ts'), [file], nodeArgs, nice);
  }

  get pid(): number {
    return this.proc.pid;
  }

  async ready(): Promise<void> {
    const r = await Promise.race([
      this.proc.next('ready', 60_000),
      this.proc.next('error', 60_000).then((e) => Promise.reject(new Error(e.message))),
    ]);
    this.startMs = r.startMs;
  }

  raw(): Promise<HostSnap> {
    return this.proc.request({ type: 'snap' }, 'snap');
  }

  async snap(): Promise<ConsumerSnap> {
    const s = await this.raw();
    return {
      samplesIn: s.samplesIn,
      deadlineMisses: s.deadlineMisses,
      latency: s.latency,
      e2e: s.e2e,
      meanBatch: Math.round(s.meanBatch * 10) / 10,
      loopDelay: s.loopDelay,
      gc: { minor: s.gcMinor, major: s.gcMajor, ms: s.gcMs },
    };
  }

  async reset(): Promise<void> {
    this.proc.send({ type: 'reset' });
    await this.raw(); // IPC is ordered: once this answers, the reset is done
  }

  /** Waits until every asset it has seen is detecting (learning and fitting done). */
  async learned(assets: number, ms: number): Promise<void> {
    const t0 = Date.now();
    for (;;) {
      const s = await this.raw();
      if (s.assets >= assets && s.detecting >= assets) return;
      if (Date.now() - t0 > ms)
        throw new Error(`agent: only ${s.detecting}/${assets} assets detecting after ${ms} ms (samplesIn ${s.samplesIn})`);
      await sleep(100);
    }
  }

  async stop(): Promise<void> {
    if (this.proc.exited) return;
    const gone = new Promise<void>((r) => this.proc.child.once('exit', () => r()));
    this.proc.send({ type: 'stop' });
    const t = setTimeout(() => void this.proc.kill(1000), 10_000);
    await gone;
    clearTimeout(t);
  }
}
