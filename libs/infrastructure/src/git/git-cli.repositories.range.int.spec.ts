import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FirstParentRangeError, type RefreshRequest } from '#domain/package/git.ports.js';
import {
  addCommits,
  addMerge,
  createBranch,
  createUpstream,
  git,
  gitTestEnv,
  tempDir,
  type FixtureCommit,
  type Upstream,
} from '../../../../test/support/git-fixtures.js';
import { GitCliRepositories } from './git-cli.repositories.js';

const repositories = new GitCliRepositories({ env: gitTestEnv() });
let root: string;
let upstream: Upstream;
let dir: string;
let main: FixtureCommit[];

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

function at(index: number): FixtureCommit {
  const commit = main[index];
  if (!commit) throw new Error(`no fixture commit ${index}`);
  return commit;
}

async function refusal(good: string, bad: string): Promise<FirstParentRangeError> {
  const error: unknown = await repositories.firstParentRange(dir, good, bad).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof FirstParentRangeError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

beforeEach(async () => {
  root = tempDir();
  dir = join(root, 'pkg');
  upstream = await createUpstream(join(root, 'upstream.git'), { commits: 1, start: 1000 });
  main = [
    ...upstream.commits,
    ...(await addCommits(
      upstream.dir,
      [2, 3, 4, 5].map((n) => ({ message: `commit ${n}`, date: 1000 * n })),
    )),
  ];
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('firstParentRange', () => {
  it('lists the commits after good up to and including bad, oldest first, with both ends resolved', async () => {
    await refresh();
    const range = await repositories.firstParentRange(dir, at(0).hash, at(3).hash);
    expect(range.good).toEqual({ hash: at(0).hash, committedAt: 1000 });
    expect(range.bad).toEqual({ hash: at(3).hash, committedAt: 4000 });
    expect(range.commits.map((commit) => commit.hash)).toEqual([at(1).hash, at(2).hash, at(3).hash]);
    expect(range.commits.map((commit) => commit.committedAt)).toEqual([2000, 3000, 4000]);
  });

  it('accepts unique prefixes and answers with full hashes', async () => {
    await refresh();
    const range = await repositories.firstParentRange(
      dir,
      at(1).hash.slice(0, 7),
      at(2).hash.slice(0, 10).toUpperCase(),
    );
    expect(range.good.hash).toBe(at(1).hash);
    expect(range.bad.hash).toBe(at(2).hash);
    expect(range.commits.map((commit) => commit.hash)).toEqual([at(2).hash]);
  });

  it('answers an empty range when good is bad', async () => {
    await refresh();
    const range = await repositories.firstParentRange(dir, at(2).hash, at(2).hash);
    expect(range.commits).toEqual([]);
  });

  it('does not depend on HEAD: bad may be on another branch that forks from the line', async () => {
    await createBranch(upstream.dir, 'side', at(2).hash);
    const side = await addCommits(upstream.dir, [{ message: 'side', date: 9000 }], 'side');
    await refresh();
    const range = await repositories.firstParentRange(dir, at(1).hash, side[0]?.hash ?? '');
    expect(range.commits.map((commit) => commit.hash)).toEqual([at(2).hash, side[0]?.hash]);
  });

  describe('across a merge', () => {
    it('lists the mainline only; a side-branch commit as good is refused', async () => {
      await createBranch(upstream.dir, 'feature', at(4).hash);
      const side = await addCommits(upstream.dir, [{ message: 'side 1', date: 6100 }], 'feature');
      const merge = await addMerge(upstream.dir, { from: 'feature', message: 'merge', date: 6300 });
      await refresh();
      const range = await repositories.firstParentRange(dir, at(3).hash, merge.hash);
      expect(range.commits.map((commit) => commit.hash)).toEqual([at(4).hash, merge.hash]);
      const error = await refusal(side[0]?.hash ?? '', merge.hash);
      expect(error.reason).toBe('not_an_ancestor');
      expect(error.message).toContain('first-parent line');
    });
  });

  describe('refusals', () => {
    it('refuses good after bad (reversed ends)', async () => {
      await refresh();
      expect((await refusal(at(3).hash, at(1).hash)).reason).toBe('not_an_ancestor');
    });

    it('refuses commits on unrelated lines', async () => {
      await createBranch(upstream.dir, 'other', at(1).hash);
      const other = await addCommits(upstream.dir, [{ message: 'other', date: 7000 }], 'other');
      await refresh();
      expect((await refusal(other[0]?.hash ?? '', at(4).hash)).reason).toBe('not_an_ancestor');
    });

    it('refuses an unknown commit, naming it', async () => {
      await refresh();
      const error = await refusal('0123456789abcdef0123456789abcdef01234567', at(2).hash);
      expect(error.reason).toBe('unknown_commit');
      expect(error.commit).toBe('0123456789abcdef0123456789abcdef01234567');
    });

    it('refuses anything that is not a hash or prefix: refs, options, revision expressions', async () => {
      await refresh();
      for (const given of ['HEAD', 'main', '--all', `${at(1).hash}^`, `${at(1).hash}..HEAD`, 'abc', '']) {
        const error = await refusal(given, at(2).hash);
        expect(error.reason, given).toBe('invalid_commit');
      }
      expect((await refusal(at(1).hash, '-c')).reason).toBe('invalid_commit');
    });

    it('refuses an ambiguous prefix', async () => {
      // 1,500 deterministic commits (fixed content, dates and identity): two share a 4-digit prefix.
      const stream = Array.from(
        { length: 1500 },
        (_, n) =>
          `commit refs/heads/many\ncommitter C <c@example.org> ${10_000 + n} +0000\ndata 6\nm${String(n).padStart(4, '0')}\n\n`,
      ).join('');
      await git(upstream.dir, ['fast-import', '--quiet'], stream);
      await refresh();
      await git(dir, ['fetch', '--quiet', 'origin', 'refs/heads/many:refs/remotes/origin/many']);
      const hashes = (await git(dir, ['rev-list', 'refs/remotes/origin/many'])).split('\n').filter(Boolean);
      const seen = new Set<string>();
      const prefix = hashes.map((hash) => hash.slice(0, 4)).find((p) => (seen.has(p) ? true : (seen.add(p), false)));
      expect(prefix).toBeDefined();
      const error = await refusal(prefix ?? '', at(2).hash);
      expect(error.reason).toBe('ambiguous_commit');
      expect(error.message).toContain(prefix);
    });
  });

  it('refuses a relative directory', async () => {
    await expect(repositories.firstParentRange('pkg', 'abcd', 'abcd')).rejects.toThrow(/absolute directory/);
  });
});
