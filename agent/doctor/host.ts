import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { arch, cpus, freemem, totalmem } from 'node:os';
import { join } from 'node:path';
import { finding, type Finding } from './finding.js';

/** Where the host checks look; tests point these at a temporary tree. */
export interface HostPaths {
  sys: string;
  run: string;
}

export const DEFAULT_HOST_PATHS: HostPaths = { sys: '/sys', run: '/run' };

const MIN_NODE_MAJOR = 20;

/** Node.js >= 20: the agent uses Node 20 APIs and onnxruntime-node's N-API 6 binding. */
export function checkNode(version: string = process.versions.node): Finding {
  const major = Number(version.split('.')[0]);
  if (major >= MIN_NODE_MAJOR) return finding('node', 'Node.js', 'ok', `v${version} (${arch()})`);
  return finding(
    'node',
    'Node.js',
    'fail',
    `v${version} is older than ${MIN_NODE_MAJOR}`,
    'install Node.js 20 LTS (NodeSource: curl -fsSL https://deb.nodesource.com/setup_20.x | sudo -E bash - && sudo apt-get install -y nodejs)',
  );
}

/**
 * CPU count and frequency governor. VMs and containers often have no cpufreq
 * in sysfs: that is "unknown", not a problem.
 */
export function checkCpu(paths: HostPaths = DEFAULT_HOST_PATHS): Finding {
  const list = cpus();
  const model = list[0]?.model.trim() || 'unknown model';
  const govFile = join(paths.sys, 'devices/system/cpu/cpu0/cpufreq/scaling_governor');
  let governor = 'unknown';
  if (existsSync(govFile)) governor = readFileSync(govFile, 'utf8').trim() || 'unknown';
  const detail = `${list.length} CPU(s), ${model}, governor ${governor}`;
  if (governor === 'unknown' || governor === 'performance') return finding('cpu', 'CPU', 'ok', detail);
  // Governors that ramp the clock on demand add latency to the first samples after idle.
  return finding(
    'cpu',
    'CPU',
    'warn',
    detail,
    'for steady per-sample latency set the performance governor: echo performance | sudo tee /sys/devices/system/cpu/cpu*/cpufreq/scaling_governor (persist it as shown in hardware/<device>/README.md)',
  );
}

/** Free memory: the agent needs ~100-200 MB resident with the LM off, more with it on. */
export function checkMemory(): Finding {
  const freeMb = Math.round(freemem() / 2 ** 20);
  const totalMb = Math.round(totalmem() / 2 ** 20);
  const detail = `${freeMb} MiB free of ${totalMb} MiB`;
  if (freeMb >= 256) return finding('memory', 'Memory', 'ok', detail);
  return finding(
    'memory',
    'Memory',
    'warn',
    detail,
    'stop other services or turn the explainer off (explain.mode: template) to leave room for the agent',
  );
}

function run(cmd: string, argv: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(cmd, argv, { timeout: 2000, encoding: 'utf8' }, (err, stdout) => resolve(err ? undefined : stdout));
  });
}

/**
 * Clock synchronisation, from the first source that answers: systemd
 * (`timedatectl`, which reflects the kernel's sync flag whoever sets it),
 * timesyncd's flag file, then chrony. Alert timestamps are only as good as
 * the clock, so an unknown or unsynchronised clock is a warning.
 */
export async function checkClock(paths: HostPaths = DEFAULT_HOST_PATHS): Promise<Finding> {
  const fix =
    'enable time sync: sudo timedatectl set-ntp true (systemd-timesyncd) or install chrony, and allow NTP (udp/123) to a plant time server';
  const td = (await run('timedatectl', ['show', '-p', 'NTPSynchronized', '--value']))?.trim();
  if (td === 'yes') return finding('clock', 'Clock sync', 'ok', 'synchronised (timedatectl)');
  if (td === 'no') return finding('clock', 'Clock sync', 'warn', 'not synchronised (timedatectl)', fix);
  if (existsSync(join(paths.run, 'systemd/timesync/synchronized'))) {
    return finding('clock', 'Clock sync', 'ok', 'synchronised (systemd-timesyncd)');
  }
  const chrony = await run('chronyc', ['-n', 'tracking']);
  if (chrony !== undefined) {
    const leap = /Leap status\s*:\s*(.+)/.exec(chrony)?.[1]?.trim();
    if (leap === 'Normal') return finding('clock', 'Clock sync', 'ok', 'synchronised (chrony)');
    return finding('clock', 'Clock sync', 'warn', `chrony leap status: ${leap ?? 'unknown'}`, fix);
  }
  return finding('clock', 'Clock sync', 'warn', 'cannot tell: no timedatectl answer, no timesyncd flag, no chronyc', fix);
}
