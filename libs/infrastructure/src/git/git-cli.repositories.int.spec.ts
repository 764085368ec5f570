import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitRefreshError, type BranchPolicy, type RefreshRequest } from '#domain/package/git.ports.js';
import {
  addCommit,
  addCommits,
  addTag,
  createBranch,
  createUpstream,
  deleteBranch,
  forcePush,
  git,
  gitTestEnv,
  tempDir,
  type Upstream,
} from '../../../../test/support/git-fixtures.js';
import { GitCliRepositories } from './git-cli.repositories.js';

const POLICY: BranchPolicy = {
  sourceBranch: 'stable/x',
  fallbackToMaster: true,
  nonfallbackBranches: ['^master$', '^rpm-master$'],
};

const repositories = new GitCliRepositories({ env: gitTestEnv() });
let root: string;
let upstream: Upstream;
let dir: string;

function request(overrides: Partial<RefreshRequest> = {}): RefreshRequest {
  return { url: upstream.url, dir, branch: 'main', local: false, policy: POLICY, ...overrides };
}

async function refreshError(overrides: Partial<RefreshRequest>): Promise<GitRefreshError> {
  const error: unknown = await repositories.refresh(request(overrides)).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(GitRefreshError);
  return error as GitRefreshError;
}

async function originUrl(): Promise<string> {
  return (await git(dir, ['remote', 'get-url', 'origin'])).trim();
}

beforeEach(async () => {
  root = tempDir();
  upstream = await createUpstream(join(root, 'upstream.git'), { commits: 3 });
  dir = join(root, 'data', 'pkg');
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('refresh', () => {
  describe('when the package was never cloned', () => {
    it('clones it and checks out the branch at the upstream tip', async () => {
      const result = await repositories.refresh(request());
      const tip = upstream.commits[2];
      expect(result).toEqual({ branch: 'main', head: { hash: tip?.hash, committedAt: tip?.committedAt } });
      expect(readFileSync(join(dir, 'history.txt'), 'utf8')).toBe('commit 3\n');
    });
  });

  describe('when upstream gained commits since the last refresh', () => {
    it('fetches them and moves the branch to the new tip', async () => {
      await repositories.refresh(request());
      const [added] = await addCommits(upstream.dir, [{ message: 'new', date: 1_800_000_000 }]);
      const result = await repositories.refresh(request());
      expect(result.head).toEqual({ hash: added?.hash, committedAt: 1_800_000_000 });
    });
  });

  describe('when upstream rewrote the branch (force-push)', () => {
    it('hard-resets the clone to the rewritten history', async () => {
      await repositories.refresh(request());
      const [rewritten] = await forcePush(upstream.dir, {
        onto: upstream.commits[0]?.hash ?? '',
        commits: [{ message: 'rewritten', date: 1_750_000_000 }],
      });
      expect((await repositories.refresh(request())).head.hash).toBe(rewritten?.hash);
    });
  });

  describe('when the configured URL changed', () => {
    it('wipes the clone and clones the new URL', async () => {
      await repositories.refresh(request());
      writeFileSync(join(dir, 'leftover'), 'from the old clone');
      const other = await createUpstream(join(root, 'other.git'), { commits: 1, start: 1_600_000_000 });
      const result = await repositories.refresh(request({ url: other.url }));
      expect(result.head.hash).toBe(other.commits[0]?.hash);
      expect(await originUrl()).toBe(other.url);
      expect(existsSync(join(dir, 'leftover'))).toBe(false);
    });
  });

  describe('when the directory is not a valid repository', () => {
    it('re-clones a directory holding no repository', async () => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'junk'), 'not a repository');
      const result = await repositories.refresh(request());
      expect(result.head.hash).toBe(upstream.commits[2]?.hash);
      expect(existsSync(join(dir, 'junk'))).toBe(false);
    });

    it('re-clones a clone whose .git is corrupted', async () => {
      await repositories.refresh(request());
      writeFileSync(join(dir, '.git', 'HEAD'), 'garbage\n');
      expect((await repositories.refresh(request())).head.hash).toBe(upstream.commits[2]?.hash);
    });

    it("re-clones an empty directory inside another repository instead of using the outer one's", async () => {
      // The outer repository even has the right origin: only `dir` itself may count.
      await git(root, ['init', '--quiet', '-b', 'main']);
      await git(root, ['remote', 'add', 'origin', upstream.url]);
      mkdirSync(dir, { recursive: true });
      await repositories.refresh(request());
      expect(existsSync(join(dir, '.git'))).toBe(true);
      expect(await git(dir, ['rev-parse', '--show-toplevel'])).toBe(`${dir}\n`);
    });
  });

  describe('when the branch is a tag', () => {
    it('checks the tag out and reports its name', async () => {
      await addTag(upstream.dir, '1.0.0', upstream.commits[1]?.hash ?? '');
      const result = await repositories.refresh(request({ branch: '1.0.0' }));
      expect(result).toEqual({ branch: '1.0.0', head: expect.objectContaining({ hash: upstream.commits[1]?.hash }) });
      // and again on an existing clone, where `reset --hard origin/1.0.0` cannot work
      expect((await repositories.refresh(request({ branch: '1.0.0' }))).head.hash).toBe(upstream.commits[1]?.hash);
    });
  });

  describe('with --local', () => {
    it('leaves an existing checkout alone and reports it under the requested branch name', async () => {
      await repositories.refresh(request());
      await addCommit(upstream.dir, { message: 'not fetched', date: 1_800_000_000 });
      writeFileSync(join(dir, 'history.txt'), 'local edit\n');
      const result = await repositories.refresh(request({ local: true, branch: 'stable/x' }));
      expect(result).toEqual({
        branch: 'stable/x',
        head: expect.objectContaining({ hash: upstream.commits[2]?.hash }),
      });
      expect(readFileSync(join(dir, 'history.txt'), 'utf8')).toBe('local edit\n');
    });

    it('still clones a package that has no checkout yet', async () => {
      expect((await repositories.refresh(request({ local: true }))).head.hash).toBe(upstream.commits[2]?.hash);
    });

    it('fails on a directory that is not a checkout, without removing it', async () => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'work'), 'precious');
      expect((await refreshError({ local: true })).message).toMatch(/not a git checkout/);
      expect(existsSync(join(dir, 'work'))).toBe(true);
    });
  });

  describe('when the URL cannot be reached', () => {
    it('fails naming the URL and branch, touching nothing outside the directory', async () => {
      writeFileSync(join(root, 'sibling'), 'keep');
      const before = readdirSync(root).sort();
      const url = `file://${root}/missing.git`;
      const error = await refreshError({ url, branch: 'stable/x' });
      expect(error).toMatchObject({ url, branch: 'stable/x' });
      expect(error.message).toContain(url);
      expect(error.message).toContain('stable/x');
      expect(readdirSync(root).sort()).toEqual([...before, 'data'].sort());
      expect(readFileSync(join(root, 'sibling'), 'utf8')).toBe('keep');
      expect(existsSync(dir)).toBe(false);
    });

    it('removes a clone whose fetch fails, so the next run clones afresh', async () => {
      await repositories.refresh(request());
      writeFileSync(join(root, 'data', 'sibling'), 'keep');
      renameSync(upstream.dir, join(root, 'moved.git'));
      const error = await refreshError({});
      expect(error.message).toMatch(/git fetch failed/);
      expect(error.message).toContain(upstream.url);
      expect(existsSync(dir)).toBe(false);
      expect(readFileSync(join(root, 'data', 'sibling'), 'utf8')).toBe('keep');
    });
  });

  describe('when refs carry shell metacharacters', () => {
    it('passes them to git as plain arguments', async () => {
      const branch = 'dev;touch${IFS}pwned&&`touch${IFS}pwned2`|$(touch${IFS}pwned3)';
      await createBranch(upstream.dir, branch, upstream.commits[0]?.hash ?? '');
      const result = await repositories.refresh(request({ branch }));
      expect(result).toEqual({ branch, head: expect.objectContaining({ hash: upstream.commits[0]?.hash }) });
      const missing = await refreshError({ branch: 'nope;touch pwned' });
      expect(missing.message).toMatch(/not the default source branch/);
      for (const where of [dir, root, process.cwd()]) {
        expect(readdirSync(where).filter((name) => name.startsWith('pwned'))).toEqual([]);
      }
    });

    it('refuses a ref that git would read as an option', async () => {
      expect((await refreshError({ branch: '--upload-pack=touch' })).message).toMatch(/refusing git ref/);
    });
  });

  it('refuses a relative directory', async () => {
    await expect(repositories.refresh(request({ dir: 'data/pkg' }))).rejects.toThrow(/absolute directory/);
  });
});

describe('refresh when the branch does not exist (fallback rules)', () => {
  const tip = () => upstream.commits[2]?.hash;

  describe('given the source branch stable/x went EOL as unmaintained/x', () => {
    it('checks out the remote branch unmaintained/x', async () => {
      await createBranch(upstream.dir, 'unmaintained/x', upstream.commits[1]?.hash ?? '');
      await addTag(upstream.dir, 'x-eol', upstream.commits[0]?.hash ?? '');
      const result = await repositories.refresh(request({ branch: 'stable/x' }));
      expect(result).toEqual({
        branch: 'unmaintained/x',
        head: expect.objectContaining({ hash: upstream.commits[1]?.hash }),
      });
    });
  });

  describe('given the source branch was replaced by the tag x-eol after being cloned', () => {
    it('drops the stale local branch and checks out the tag', async () => {
      await createBranch(upstream.dir, 'stable/x', upstream.commits[1]?.hash ?? '');
      expect((await repositories.refresh(request({ branch: 'stable/x' }))).branch).toBe('stable/x');
      await deleteBranch(upstream.dir, 'stable/x');
      await addTag(upstream.dir, 'x-eol', upstream.commits[0]?.hash ?? '');
      const result = await repositories.refresh(request({ branch: 'stable/x' }));
      expect(result).toEqual({ branch: 'x-eol', head: expect.objectContaining({ hash: upstream.commits[0]?.hash }) });
      expect(await git(dir, ['branch', '--list', 'stable/x'])).toBe('');
    });
  });

  describe('given neither unmaintained/x nor x-eol exists', () => {
    it('falls back to the local master with fallback_to_master', async () => {
      upstream = await createUpstream(join(root, 'master.git'), { commits: 2, branch: 'master' });
      const result = await repositories.refresh(request({ branch: 'stable/x' }));
      expect(result).toEqual({ branch: 'master', head: expect.objectContaining({ hash: upstream.commits[1]?.hash }) });
    });

    it('moves the local master to its upstream tip, not its stale local state', async () => {
      upstream = await createUpstream(join(root, 'master.git'), { commits: 2, branch: 'master' });
      await createBranch(upstream.dir, 'stable/x', upstream.commits[0]?.hash ?? '');
      expect((await repositories.refresh(request({ branch: 'stable/x' }))).branch).toBe('stable/x');
      await deleteBranch(upstream.dir, 'stable/x');
      const newer = await addCommit(upstream.dir, { branch: 'master', message: 'newer', date: 1_800_000_000 });
      const result = await repositories.refresh(request({ branch: 'stable/x' }));
      expect(result).toEqual({ branch: 'master', head: { hash: newer.hash, committedAt: 1_800_000_000 } });
      expect(await git(dir, ['rev-parse', 'HEAD'])).toBe(`${newer.hash}\n`);
    });

    it('falls back to the local main when there is no master', async () => {
      expect(await repositories.refresh(request({ branch: 'stable/x' }))).toMatchObject({
        branch: 'main',
        head: { hash: tip() },
      });
    });

    it('fails when fallback_to_master is off', async () => {
      const error = await refreshError({ branch: 'stable/x', policy: { ...POLICY, fallbackToMaster: false } });
      expect(error.message).toMatch(/stable\/x does not exist and no fallback exists .* fallback_to_master is off/);
      expect(error.message).toContain(upstream.url);
    });
  });

  describe('given the branch matches nonfallback_branches', () => {
    it('fails even though unmaintained/x exists', async () => {
      await createBranch(upstream.dir, 'unmaintained/x', upstream.commits[1]?.hash ?? '');
      const policy = { ...POLICY, nonfallbackBranches: ['^stable/'] };
      expect((await refreshError({ branch: 'stable/x', policy })).message).toMatch(/nonfallback_branches/);
    });
  });

  describe('given a missing dist-git branch x-rdo', () => {
    it('falls back to rpm-master with fallback_to_master', async () => {
      await createBranch(upstream.dir, 'rpm-master', upstream.commits[0]?.hash ?? '');
      const result = await repositories.refresh(request({ branch: 'x-rdo' }));
      expect(result).toEqual({
        branch: 'rpm-master',
        head: expect.objectContaining({ hash: upstream.commits[0]?.hash }),
      });
    });
  });

  describe('given a missing branch that is not the configured source', () => {
    it('fails without trying any fallback', async () => {
      expect((await refreshError({ branch: 'stable/y' })).message).toMatch(/not the default source branch/);
    });
  });
});
