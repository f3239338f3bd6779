/**
 * Scheduling of the hot thread alone (`detect.schedule`): a real-time policy
 * and priority, and optionally a CPU set, for the thread that decides — not
 * for the whole process, whose cold path (SQLite, the language model, HTTP)
 * must not pre-empt the rest of the box. Node has no API for it: the thread
 * finds its own kernel thread id in /proc/thread-self and applies chrt(1) and
 * taskset(1) (util-linux) to that id. Unprivileged, that needs a real-time
 * limit (systemd `LimitRTPRIO=`, and `RestrictRealtime=no`); see
 * hardware/README.md. Linux only.
 */
import { execFile } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Schedule {
  policy: 'other' | 'fifo' | 'rr';
  /** Real-time priority, 1..99 (fifo and rr). */
  priority: number;
  /** CPU list for taskset, e.g. "3" or "2-3"; undefined = leave the affinity alone. */
  cpus?: string | undefined;
}

/** The calling thread's kernel thread id (/proc/thread-self → "<pid>/task/<tid>"). */
export function threadId(): number {
  const link = readlinkSync('/proc/thread-self');
  const tid = Number(link.slice(link.lastIndexOf('/') + 1));
  if (!Number.isInteger(tid) || tid <= 0) throw new Error(`unexpected /proc/thread-self: ${link}`);
  return tid;
}

/**
 * Applies `s` to thread `tid`; resolves with what was done, or rejects with
 * why not (the caller logs it: detection runs either way, at normal priority).
 */
export async function applySchedule(tid: number, s: Schedule): Promise<string> {
  const done: string[] = [];
  if (s.policy !== 'other') {
    await run('chrt', [s.policy === 'fifo' ? '-f' : '-r', '-p', String(s.priority), String(tid)]);
    done.push(`SCHED_${s.policy.toUpperCase()} priority ${s.priority}`);
  }
  if (s.cpus !== undefined) {
    await run('taskset', ['-p', '-c', s.cpus, String(tid)]);
    done.push(`CPUs ${s.cpus}`);
  }
  return done.join(', ');
}

/** /proc's view of a thread: its policy (0 other, 1 fifo, 2 rr) and real-time priority (tests, doctor). */
export function threadPolicy(pid: number, tid: number, read: (p: string) => string): { policy: number; rtPriority: number } {
  const stat = read(`/proc/${pid}/task/${tid}/stat`);
  // Fields after "(comm) ": rt_priority is field 40 and policy 41 (1-based in proc(5)), i.e. 37 and 38 here.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { rtPriority: Number(f[37]), policy: Number(f[38]) };
}
