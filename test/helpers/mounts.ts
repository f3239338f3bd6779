/**
 * Small tmpfs mounts for storage-fault tests: a state dir that can be filled
 * or remounted read-only. Needs root (mount(8)); `canMount` says whether the
 * tests can run here, `why` why not.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const canMount = process.getuid?.() === 0;
export const why = 'needs root to mount a small tmpfs (the storage-fault tests run as root in CI)';

export interface Mount {
  dir: string;
  /** Fills the file system (a filler file) until ENOSPC. */
  fill(): void;
  /** Removes the filler. */
  free(): void;
  readOnly(ro: boolean): void;
  unmount(): void;
}

export function mountTmpfs(sizeKb: number): Mount {
  const dir = mkdtempSync(join(tmpdir(), 'es-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir]);
  const filler = join(dir, 'filler');
  return {
    dir,
    fill: () => {
      try {
        writeFileSync(filler, Buffer.alloc(sizeKb * 1024));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      }
    },
    free: () => rmSync(filler, { force: true }),
    readOnly: (ro) => execFileSync('mount', ['-o', `remount,${ro ? 'ro' : 'rw'}`, dir]),
    unmount: () => {
      execFileSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
