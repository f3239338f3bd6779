import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, rmSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { finding, type Finding } from './finding.js';

/** Below this the outbox (16 MiB by default) and baselines may not fit: blocking. */
export const DISK_FAIL_BYTES = 64 * 2 ** 20;
/** Below this a long uplink outage can fill the disk: warning. */
export const DISK_WARN_BYTES = 512 * 2 ** 20;

/** The nearest existing ancestor of `p` (itself when it exists). */
function existingAncestor(p: string): string {
  let cur = p;
  while (!existsSync(cur) && dirname(cur) !== cur) cur = dirname(cur);
  return cur;
}

/**
 * Proves the state directory is writable the way the agent writes it:
 * create it if missing, write and fsync a probe file, delete it. Anything
 * this check created is removed again, so doctor leaves the host as it was.
 * An `access(W_OK)` test would lie for root and for read-only mounts.
 */
export function checkStateDir(stateDir: string): Finding {
  const dir = resolve(stateDir);
  const title = 'State dir writable';
  const missingTop = firstMissing(dir);
  let created = false;
  try {
    mkdirSync(dir, { recursive: true });
    created = missingTop !== undefined;
    const probe = join(dir, `.doctor-probe-${process.pid}`);
    const fd = openSync(probe, 'w', 0o600);
    try {
      writeSync(fd, 'probe');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    unlinkSync(probe);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return finding(
      'statedir',
      title,
      'fail',
      `${dir}: ${e.code ?? 'error'} ${e.syscall ?? ''}`.trim(),
      `create it and give it to the agent's user: sudo install -d -o edge-sentinel -g edge-sentinel -m 0750 ${dir} (or set agent.stateDir to a writable path; under systemd use StateDirectory=)`,
    );
  } finally {
    if (created && missingTop) rmSync(missingTop, { recursive: true, force: true });
  }
  return finding('statedir', title, 'ok', missingTop ? `${dir} (does not exist yet; the agent will create it)` : dir);
}

/** The topmost missing directory on the way to `dir`, if any. */
function firstMissing(dir: string): string | undefined {
  if (existsSync(dir)) return undefined;
  let cur = dir;
  while (!existsSync(dirname(cur)) && dirname(cur) !== cur) cur = dirname(cur);
  return cur;
}

/** Free space on the file system that holds (or will hold) the state dir. */
export function checkDisk(stateDir: string): Finding {
  const at = existingAncestor(resolve(stateDir));
  let free: number;
  try {
    const s = statfsSync(at);
    free = s.bavail * s.bsize;
  } catch (err) {
    return finding(
      'disk',
      'Free disk',
      'fail',
      `${at}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      'point agent.stateDir at a mounted, readable file system',
    );
  }
  const mib = Math.round(free / 2 ** 20);
  const detail = `${mib} MiB free at ${at}`;
  const fix = 'free space or move agent.stateDir to a bigger disk (on a Pi: a USB SSD, see hardware/raspberry-pi-5/README.md)';
  if (free < DISK_FAIL_BYTES) return finding('disk', 'Free disk', 'fail', detail, fix);
  if (free < DISK_WARN_BYTES) return finding('disk', 'Free disk', 'warn', detail, fix);
  return finding('disk', 'Free disk', 'ok', detail);
}
