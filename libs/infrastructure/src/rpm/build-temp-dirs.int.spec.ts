import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBuildTempDir, sweepStaleBuildDirs } from './build-temp-dirs.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dlrn-sweep-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const host = hostname().replace(/[^A-Za-z0-9-]/g, '_') || 'localhost';

/** The pid of a process that has exited (and been reaped): no process has it now. */
function deadPid(): number {
  return Number(spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim());
}

describe('when a builder starts and another one died mid-build on this host', () => {
  it("removes the dead builder's directories, and keeps those of live builders, other hosts and strangers", async () => {
    const parent = join(root, 'case1');
    mkdirSync(parent);
    const sleeper = spawn('sleep', ['60']);
    try {
      const dead = deadPid();
      const left = [
        `dlrn-srpm-${host}.${dead}-aB3dE9`,
        `dlrn-rpmbuild-${host}.${dead}-Zz0000`,
        'dlrn-srpm-Old123', // no owner in the name (earlier versions), two days old
      ];
      const kept = [
        `dlrn-srpm-${host}.${sleeper.pid}-aB3dE9`, // a builder still at work
        `dlrn-srpm-${host}.${process.pid}-aB3dE9`, // this very process
        `dlrn-srpm-elsewhere.${dead}-aB3dE9`, // another host sharing the directory
        'dlrn-srpm-aB3dE9', // no owner in the name, and recent: may be a live build of an earlier version
        `unrelated-${dead}`,
      ];
      for (const name of [...left, ...kept]) {
        mkdirSync(join(parent, name));
        writeFileSync(join(parent, name, 'file'), 'x');
      }
      const twoDaysAgo = new Date(Date.now() - 48 * 3600_000);
      utimesSync(join(parent, 'dlrn-srpm-Old123'), twoDaysAgo, twoDaysAgo);
      expect((await sweepStaleBuildDirs(parent)).sort()).toEqual(left.map((name) => join(parent, name)).sort());
      expect(readdirSync(parent).sort()).toEqual([...kept].sort());
      expect(await sweepStaleBuildDirs(parent)).toEqual([]);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('names its own directories so that a later sweep finds them once this process is gone', async () => {
    const dir = await makeBuildTempDir(root, 'srpm');
    expect(dir).toMatch(new RegExp(`/dlrn-srpm-${host}\\.${process.pid}-[A-Za-z0-9]{6}$`));
    expect(await sweepStaleBuildDirs(root)).toEqual([]);
    expect(existsSync(dir)).toBe(true);
  });

  it('does nothing when the directory does not exist', async () => {
    expect(await sweepStaleBuildDirs(join(root, 'missing'))).toEqual([]);
  });
});
