import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real small file systems for fault tests (a full disk, a read-only datadir): tmpfs mounts,
 * which need root. `canMountTmpfs` says whether this machine allows them, so the tests that need
 * one skip visibly elsewhere.
 */
export const canMountTmpfs: boolean = (() => {
  const probe = mkdtempSync(join(tmpdir(), 'dlrn-tmpfs-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
})();

/** Mounts a tmpfs of `megabytes` at `dir` (created); returns its unmount. */
export function mountTmpfs(dir: string, megabytes: number): () => void {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', dir]);
  return () => execFileSync('umount', ['-l', dir]);
}

/** Makes a mounted tmpfs read-only (or writable again). */
export function remountTmpfs(dir: string, mode: 'ro' | 'rw'): void {
  execFileSync('mount', ['-o', `remount,${mode}`, dir]);
}

/** Writes zeros into `file` until the file system says it is full. */
export function fillDisk(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}
