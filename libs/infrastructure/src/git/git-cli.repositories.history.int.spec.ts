import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RefreshRequest } from '#domain/package/git.ports.js';
import {
  addCommit,
  addCommits,
  addMerge,
  createBranch,
  createUpstream,
  forcePush,
  gitTestEnv,
  tempDir,
  type Upstream,
} from '../../../../test/support/git-fixtures.js';
import { GitCliRepositories } from './git-cli.repositories.js';

const repositories = new GitCliRepositories({ env: gitTestEnv() });
let root: string;
let upstream: Upstream;
let dir: string;

async function refresh(): Promise<void> {
  const request: RefreshRequest = {
    url: upstream.url,
    dir,
    branch: 'main',
    local: false,
    policy: { sourceBranch: 'main', fallbackToMaster: false, nonfallbackBranches: [] },
  };
  await repositories.refresh(request);
}

const hashes = (commits: readonly { hash: string }[]) => commits.map((commit) => commit.hash);

beforeEach(async () => {
  root = tempDir();
  dir = join(root, 'pkg');
  // Commits at 1000, 2000, 2000 (two in the same second), 3000.
  upstream = await createUpstream(join(root, 'upstream.git'), { commits: 1, start: 1000 });
  await addCommits(upstream.dir, [
    { message: 'second', date: 2000 },
    { message: 'same second', date: 2000 },
    { message: 'fourth', date: 3000 },
  ]);
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('listCommits', () => {
  describe('when no lower bound is given', () => {
    it('lists every first-parent commit of HEAD, oldest first', async () => {
      await refresh();
      const commits = await repositories.listCommits(dir);
      expect(commits.map((commit) => commit.committedAt)).toEqual([1000, 2000, 2000, 3000]);
    });
  });

  describe("when the bound is a commit's time (DLRN --after=<dt_commit>)", () => {
    it('includes every commit at that exact second, and the newer ones', async () => {
      await refresh();
      const all = await repositories.listCommits(dir);
      expect(await repositories.listCommits(dir, 2000)).toEqual(all.slice(1));
    });

    it('excludes commits one second older than the bound', async () => {
      await refresh();
      expect((await repositories.listCommits(dir, 2001)).map((commit) => commit.committedAt)).toEqual([3000]);
    });

    it('treats a fractional bound as "at or after" it', async () => {
      await refresh();
      expect((await repositories.listCommits(dir, 1999.5)).map((commit) => commit.committedAt)).toEqual([
        2000, 2000, 3000,
      ]);
    });

    it('lists nothing when the bound is after HEAD', async () => {
      await refresh();
      expect(await repositories.listCommits(dir, 3001)).toEqual([]);
    });
  });

  describe('when HEAD holds merges', () => {
    it('lists the mainline only, not the merged side-branch commits', async () => {
      const [base] = await addCommits(upstream.dir, [{ message: 'base', date: 4000 }]);
      await createBranch(upstream.dir, 'feature', base?.hash ?? '');
      const side = await addCommits(
        upstream.dir,
        [
          { message: 'side 1', date: 4100 },
          { message: 'side 2', date: 4200 },
        ],
        'feature',
      );
      const merge = await addMerge(upstream.dir, { from: 'feature', message: 'merge', date: 4300 });
      await refresh();
      const listed = hashes(await repositories.listCommits(dir, 4000));
      expect(listed).toEqual([base?.hash, merge.hash]);
      expect(listed).not.toContain(side[0]?.hash);
    });
  });

  describe('when a mainline commit is dated before the bound (clock skew)', () => {
    it('stops at it, as git --since does for DLRN: older-parent commits behind it are not listed', async () => {
      await addCommits(upstream.dir, [
        { message: 'skewed', date: 1500 },
        { message: 'latest', date: 5000 },
      ]);
      await refresh();
      expect((await repositories.listCommits(dir, 2000)).map((commit) => commit.committedAt)).toEqual([5000]);
    });
  });

  it('refuses a relative directory', async () => {
    await expect(repositories.listCommits('pkg')).rejects.toThrow(/absolute directory/);
  });
});

describe('isAncestor', () => {
  describe('when the commit is in the history of HEAD', () => {
    it('answers true', async () => {
      await refresh();
      expect(await repositories.isAncestor(dir, upstream.commits[0]?.hash ?? '')).toBe(true);
    });
  });

  describe('when upstream was force-pushed after the commit was built', () => {
    it('answers false for the rewritten commit, true for the kept one', async () => {
      const built = await addCommit(upstream.dir, { message: 'built', date: 6000 });
      await refresh();
      expect(await repositories.isAncestor(dir, built.hash)).toBe(true);
      await forcePush(upstream.dir, {
        onto: upstream.commits[0]?.hash ?? '',
        commits: [{ message: 'replacement', date: 6100 }],
      });
      await refresh();
      expect(await repositories.isAncestor(dir, built.hash)).toBe(false);
      expect(await repositories.isAncestor(dir, upstream.commits[0]?.hash ?? '')).toBe(true);
    });
  });

  describe('when the commit does not exist in the clone', () => {
    it('answers false without throwing', async () => {
      await refresh();
      expect(await repositories.isAncestor(dir, '0123456789abcdef0123456789abcdef01234567')).toBe(false);
      expect(await repositories.isAncestor(dir, '--not-a-commit')).toBe(false);
    });
  });

  describe('when the directory is not a repository', () => {
    it('throws rather than answering', async () => {
      await expect(repositories.isAncestor(tempDir(), 'HEAD')).rejects.toThrow(/no readable HEAD/);
    });
  });
});
