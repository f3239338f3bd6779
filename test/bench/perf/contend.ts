/**
 * The contended run of bench:perf (`--contend`): a CPU hog on every core at
 * normal priority while a consumer runs its rate step, once without any
 * scheduling and once under a hardware profile's scheduling, for the agent
 * and the Node-RED peer alike:
 * - the agent: `Nice=` from the profile's override.conf for its process, and
 *   `detect.schedule` from its config.yaml for its hot thread (what the
 *   shipped systemd drop-in and config do);
 * - Node-RED: the same nice, and the same real-time policy for its one
 *   thread that does the work (its main thread).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Schedule } from '../../../agent/hot/sched.js';

/** What a hardware profile ships for scheduling. */
export interface ProfileSchedule {
  profile: string;
  /** The process's nice value (override.conf `Nice=`; 0 when absent). */
  nice: number;
  /** The hot thread's scheduling (config.yaml `detect.schedule`). */
  schedule: Schedule;
}

/** Reads hardware/<profile>/config.yaml and override.conf. */
export function profileSchedule(repo: string, profile: string): ProfileSchedule {
  const dir = join(repo, 'hardware', profile);
  const cfg = parseYaml(readFileSync(join(dir, 'config.yaml'), 'utf8')) as { detect?: { schedule?: Partial<Schedule> } };
  const conf = readFileSync(join(dir, 'override.conf'), 'utf8');
  const nice = Number(/^Nice=(-?\d+)\s*$/m.exec(conf)?.[1] ?? 0);
  const s = cfg.detect?.schedule ?? {};
  return { profile, nice, schedule: { policy: s.policy ?? 'other', priority: s.priority ?? 10, cpus: s.cpus } };
}

/** A busy loop per core at nice 0, until stopped. */
export function startHog(): { stop(): void; count: number } {
  const procs: ChildProcess[] = [];
  for (let i = 0; i < cpus().length; i++) procs.push(spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
  return {
    count: procs.length,
    stop() {
      for (const p of procs) p.kill('SIGKILL');
    },
  };
}

/** Applies a real-time policy to one thread or process (Node-RED's main thread is its pid). */
export function chrt(pid: number, s: Schedule): void {
  if (s.policy === 'other') return;
  execFileSync('chrt', [s.policy === 'fifo' ? '-f' : '-r', '-p', String(s.priority), String(pid)]);
  if (s.cpus !== undefined) execFileSync('taskset', ['-p', '-c', s.cpus, String(pid)], { stdio: 'ignore' });
}
