import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const HW = resolve(import.meta.dirname, '../../hardware');
const PROFILES = ['raspberry-pi-4', 'raspberry-pi-5', 'jetson-orin-nano', 'x86-gateway'];
const tmp = mkdtempSync(join(tmpdir(), 'unit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * `systemd-analyze verify` on a copy of the unit whose ExecStart runs this
 * machine's node (the packaged path /opt/edge-sentinel/... only exists after
 * install.sh). verify prints every problem it finds but often exits 0 (an
 * unknown key is "ignored"), so the assertion is: no output at all.
 */
function verify(unitText: string, dropIn?: string): { code: number; out: string } {
  const dir = mkdtempSync(join(tmp, 'u-'));
  const unit = join(dir, 'edge-sentinel.service');
  writeFileSync(unit, unitText.replace(/^ExecStart=\/usr\/bin\/node /m, `ExecStart=${process.execPath} `));
  copyFileSync(join(HW, 'systemd/cpu-performance.service'), join(dir, 'cpu-performance.service'));
  if (dropIn) {
    mkdirSync(join(dir, 'edge-sentinel.service.d'));
    writeFileSync(join(dir, 'edge-sentinel.service.d/override.conf'), dropIn);
  }
  // SYSTEMD_UNIT_PATH (trailing ':' keeps the defaults) makes verify read the drop-in directory.
  const r = spawnSync('systemd-analyze', ['verify', unit, join(dir, 'cpu-performance.service')], {
    encoding: 'utf8',
    env: { ...process.env, SYSTEMD_UNIT_PATH: `${dir}:` },
  });
  if (r.error) throw new Error(`systemd-analyze is missing (apt-get install -y systemd): ${r.error.message}`);
  return { code: r.status ?? -1, out: (r.stdout + r.stderr).trim() };
}

const unitText = readFileSync(join(HW, 'systemd/edge-sentinel.service'), 'utf8');

describe('systemd unit', () => {
  it('verifies clean', () => {
    expect(verify(unitText)).toEqual({ code: 0, out: '' });
  });

  it.each(PROFILES)('verifies clean with the %s drop-in', (p) => {
    expect(verify(unitText, readFileSync(join(HW, p, 'override.conf'), 'utf8'))).toEqual({ code: 0, out: '' });
  });

  it('verify catches a broken unit here (so the clean result means something)', () => {
    const broken = unitText.replace('ProtectSystem=strict', 'ProtectSystem=strictly').replace('Restart=always', 'Restrat=always');
    const r = verify(broken, '[Service]\nMemoryMaxx=1G\n');
    expect(r.out).toMatch(/protect system value.*strictly/i);
    expect(r.out).toMatch(/Unknown key 'Restrat'/);
    expect(r.out).toMatch(/Unknown key 'MemoryMaxx'/);
  });

  it('has the required hardening and lifecycle settings', () => {
    const has = (line: string) => expect(unitText).toMatch(new RegExp(`^${line}$`, 'm'));
    for (const l of [
      'Type=notify',
      'NotifyAccess=all',
      'User=edge-sentinel',
      'ProtectSystem=strict',
      'NoNewPrivileges=yes',
      'StateDirectory=edge-sentinel',
      'Restart=always',
      'WatchdogSec=\\d+s',
      'MemoryMax=\\d+[MG]',
    ])
      has(l);
    // Writable paths: the state dir only.
    expect(unitText).not.toMatch(/^ReadWritePaths=/m);
    for (const l of ['CPUAffinity=', 'Nice=', 'CPUSchedulingPolicy=fifo']) expect(unitText).toMatch(new RegExp(`^#${l}`, 'm'));
  });

  it('scores as well sandboxed in systemd-analyze security (exposure <= 2.0 of 10)', () => {
    const dir = mkdtempSync(join(tmp, 's-'));
    const unit = join(dir, 'edge-sentinel.service');
    writeFileSync(unit, unitText.replace(/^ExecStart=\/usr\/bin\/node /m, `ExecStart=${process.execPath} `));
    // --threshold is on the 0-100 scale: exit non-zero above 20 (= 2.0).
    const r = spawnSync('systemd-analyze', ['security', '--offline=yes', '--threshold=20', unit], { encoding: 'utf8' });
    const level = /Overall exposure level for .*: ([\d.]+)/.exec(r.stdout)?.[1];
    expect(Number(level)).toBeLessThanOrEqual(2);
    expect(r.status).toBe(0);
  });
});

describe('install.sh', () => {
  it('passes shellcheck as POSIX sh', () => {
    const r = spawnSync('shellcheck', ['-s', 'sh', join(HW, 'install.sh')], { encoding: 'utf8' });
    if (r.error) throw new Error('shellcheck is missing: apt-get install -y shellcheck');
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('refuses to run without a tarball, before touching the system', () => {
    const r = spawnSync('sh', [join(HW, 'install.sh'), '--profile', 'raspberry-pi-5'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/usage: install.sh/);
    const bad = spawnSync('sh', [join(HW, 'install.sh'), '--profile', 'pi-zero', join(HW, 'base.yaml')], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/unknown profile pi-zero/);
    expect(execFileSync('sh', ['-n', join(HW, 'install.sh')]).toString()).toBe('');
  });
});
