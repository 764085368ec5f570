import { existsSync } from 'node:fs';
import { mkdir, realpath, rm } from 'node:fs/promises';
import { dirname, isAbsolute, parse, resolve } from 'node:path';
import { branchFallback } from '#domain/package/branch-fallback.js';
import {
  FirstParentRangeError,
  GitRefreshError,
  GitRepositories,
  type CheckoutResult,
  type FirstParentRange,
  type GitCommitInfo,
  type RefreshRequest,
} from '#domain/package/git.ports.js';
import { GitCommandError, GitCommandRunner, type GitRunnerOptions } from './git-command.runner.js';
import { checkoutWithFallback } from './branch-checkout.js';
import { CloneLockError, withCloneLock } from './clone-lock.js';
import { cloneSource, sameRemote } from './remote-url.js';
import { storedOriginUrl } from './stored-origin.js';

export type GitCliRepositoriesOptions = GitRunnerOptions;

/** `%H NUL %ct`: hashes and epoch seconds never contain NUL, so no quoting games. */
const COMMIT_FORMAT = '--format=%H%x00%ct';

type Fail = (what: string, error?: unknown) => GitRefreshError;

/** A full hash or a prefix git accepts (4+ digits): never a ref name, an option or a revision expression. */
const HASH_OR_PREFIX = /^[0-9a-f]{4,64}$/i;

/**
 * DLRN's `refreshrepo` and the drivers' `git log`. Every command gets an argument array (no
 * shell) and DLRN's 3600 s timeout; `dir` must be absolute, and the only directory ever removed
 * is `dir` itself. The commands run through execFile, not simple-git: see GitCommandRunner.
 */
export class GitCliRepositories extends GitRepositories {
  private readonly git: GitCommandRunner;

  constructor(options: GitCliRepositoriesOptions = {}) {
    super();
    this.git = new GitCommandRunner(options);
  }

  override async refresh(request: RefreshRequest): Promise<CheckoutResult> {
    const dir = absoluteDir(request.dir);
    // Several builders may share one datadir: one process at a time in a clone.
    try {
      return await withCloneLock(dir, () => this.refreshLocked(dir, request));
    } catch (error) {
      if (error instanceof CloneLockError) {
        throw new GitRefreshError(
          request.url,
          request.branch,
          `${error.message} (${request.url}, branch ${request.branch})`,
        );
      }
      throw error;
    }
  }

  private async refreshLocked(dir: string, request: RefreshRequest): Promise<CheckoutResult> {
    const { url, branch, policy } = request;
    const fail: Fail = (what, error) =>
      new GitRefreshError(url, branch, `${what} (${url}, branch ${branch}, in ${dir})${detail(error)}`);
    // A leading dash would reach git as an option; git forbids it in branch names anyway.
    if (branch === '' || branch.startsWith('-')) throw fail(`refusing git ref '${branch}'`);

    // Synchronous, as the origin's read below: see storedOriginUrl.
    if (!existsSync(dir)) {
      await this.clone(url, dir, fail);
    } else if (request.local) {
      // --local: the checkout is used as it is, origin unchecked, under the requested name.
      if (!(await this.isRepository(dir))) throw fail('--local: the directory is not a git checkout');
      return { branch, head: await this.head(dir, fail) };
    } else if (!(await this.originIs(dir, url))) {
      // The URL changed, or the directory is not (or no longer) a repository: start afresh.
      await wipe(dir);
      await this.clone(url, dir, fail);
    } else {
      // Only an existing clone is fetched: after a fresh clone DLRN's fetch is a no-op.
      await this.fetch(dir, fail);
    }

    try {
      const fallback = branchFallback(branch, policy);
      const used = await checkoutWithFallback(this.git, dir, branch, fallback);
      if (used === null) throw fail(`git ref ${branch} does not exist and ${fallback.whenNoneExists}`);
      return { branch: used.ref, head: used.head ?? (await this.head(dir, fail)) };
    } catch (error) {
      if (error instanceof GitRefreshError) throw error;
      throw fail('checkout failed', error);
    }
  }

  override async listCommits(dir: string, after?: number): Promise<GitCommitInfo[]> {
    const cwd = absoluteDir(dir);
    const args = ['log', '--first-parent', '--reverse', COMMIT_FORMAT];
    if (after !== undefined) {
      if (!Number.isFinite(after)) throw new RangeError(`listCommits: 'after' must be a finite number, got ${after}`);
      // --max-age sets the very field --after/--since set (git's revs->max_age), so the window
      // is DLRN's `--after=<dt_commit>`: inclusive (committer time >= after), and the first-parent
      // walk stops at the first older commit. It takes an exact integer, where --after's date
      // parser would misread small fixture timestamps; ceil keeps ">= a fractional after".
      args.push(`--max-age=${Math.ceil(after)}`);
    }
    args.push('HEAD', '--');
    return parseCommits(await this.git.run(cwd, args));
  }

  override async isAncestor(dir: string, ancestor: string): Promise<boolean> {
    const cwd = absoluteDir(dir);
    const code = await this.git.exitCode(cwd, ['merge-base', '--is-ancestor', '--end-of-options', ancestor, 'HEAD']);
    if (code === 0) return true;
    if (code === 1) return false;
    // 128: an unknown (rewritten, collected) commit is simply not an ancestor; a broken
    // repository still is an error.
    const known = await this.git.exitCode(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', 'HEAD']);
    if (known !== 0) throw new Error(`isAncestor: ${cwd} has no readable HEAD`);
    return false;
  }

  override async firstParentRange(dir: string, good: string, bad: string): Promise<FirstParentRange> {
    const cwd = absoluteDir(dir);
    const goodCommit = await this.resolveCommit(cwd, good);
    const badCommit = await this.resolveCommit(cwd, bad);
    if (goodCommit.hash === badCommit.hash) return { good: goodCommit, bad: badCommit, commits: [] };
    // The first-parent walk from bad, stopped by everything good reaches; newest first.
    const newestFirst = parseCommits(
      await this.git.run(cwd, ['log', '--first-parent', COMMIT_FORMAT, `^${goodCommit.hash}`, badCommit.hash, '--']),
    );
    const oldest = newestFirst.at(-1);
    // good is on the line when the walk ends exactly at one of its children (first parent).
    const parent =
      oldest === undefined
        ? null
        : (await this.git.run(cwd, ['rev-parse', '--verify', '--quiet', `${oldest.hash}^1`]).catch(() => '')).trim();
    if (parent !== goodCommit.hash) {
      throw new FirstParentRangeError(
        'not_an_ancestor',
        good,
        `${goodCommit.hash} is not on the first-parent line of ${badCommit.hash} (in ${cwd})`,
        { good: goodCommit.hash, bad: badCommit.hash },
      );
    }
    return { good: goodCommit, bad: badCommit, commits: newestFirst.reverse() };
  }

  /** A full hash or unique prefix to the commit it names, or a FirstParentRangeError. */
  private async resolveCommit(cwd: string, given: string): Promise<GitCommitInfo> {
    if (!HASH_OR_PREFIX.test(given)) {
      throw new FirstParentRangeError(
        'invalid_commit',
        given,
        `'${given.slice(0, 80)}' is not a commit hash or hash prefix (4 to 64 hexadecimal digits)`,
      );
    }
    try {
      const [commit] = parseCommits(
        await this.git.run(cwd, ['log', '-1', '--no-walk', COMMIT_FORMAT, `${given}^{commit}`, '--']),
      );
      if (commit) return commit;
    } catch (error) {
      const stderr = error instanceof GitCommandError ? error.stderr : '';
      if (/short object ID \S+ is ambiguous/i.test(stderr)) {
        throw new FirstParentRangeError('ambiguous_commit', given, `commit prefix ${given} is ambiguous in ${cwd}`);
      }
      if (!(error instanceof GitCommandError) || error.exitCode === null) throw error;
    }
    throw new FirstParentRangeError('unknown_commit', given, `no commit ${given} in ${cwd}`);
  }

  private async clone(url: string, dir: string, fail: Fail) {
    await mkdir(dirname(dir), { recursive: true });
    try {
      // --no-checkout: the branch checkout that follows writes the work tree once, not twice.
      await this.git.run(dirname(dir), ['clone', '--no-checkout', '--', cloneSource(url), dir]);
    } catch (error) {
      await wipe(dir);
      throw fail('git clone failed', error);
    }
  }

  private async fetch(dir: string, fail: Fail) {
    try {
      await this.git.run(dir, ['fetch', '--prune', 'origin']);
    } catch (error) {
      // DLRN removes the clone (with sudo; never here) so the next run clones it afresh.
      await wipe(dir);
      throw fail('git fetch failed; the clone was removed and will be cloned again', error);
    }
  }

  private async isRepository(dir: string): Promise<boolean> {
    try {
      // The top level must be `dir` itself, not a repository that happens to contain it.
      const top = (await this.git.run(dir, ['rev-parse', '--show-toplevel'])).trim();
      return top === (await realpath(dir));
    } catch {
      return false;
    }
  }

  /** False too when `dir` is not a repository of its own (corrupted, or never cloned). */
  private async originIs(dir: string, url: string): Promise<boolean> {
    const stored = await storedOriginUrl(dir);
    if (stored !== undefined) return sameRemote(url, stored);
    try {
      // The ceiling stops git from answering for a repository that merely contains `dir`.
      const env = { GIT_CEILING_DIRECTORIES: dirname(dir) };
      const origin = (await this.git.run(dir, ['remote', 'get-url', 'origin'], env)).trim();
      return sameRemote(url, origin);
    } catch {
      return false;
    }
  }

  private async head(dir: string, fail: Fail): Promise<GitCommitInfo> {
    try {
      const [head] = parseCommits(await this.git.run(dir, ['log', '-1', COMMIT_FORMAT, 'HEAD', '--']));
      if (head) return head;
      throw new Error('git log printed no commit');
    } catch (error) {
      throw fail('cannot read HEAD', error);
    }
  }
}

function parseCommits(output: string): GitCommitInfo[] {
  const commits: GitCommitInfo[] = [];
  for (const line of output.split('\n')) {
    if (line === '') continue;
    const [hash = '', time = ''] = line.split('\0');
    commits.push({ hash, committedAt: Number(time) });
  }
  return commits;
}

function absoluteDir(dir: string): string {
  if (!isAbsolute(dir)) throw new Error(`git repositories need an absolute directory, got '${dir}'`);
  const normalized = resolve(dir);
  if (normalized === parse(normalized).root) throw new Error(`refusing the filesystem root as a clone directory`);
  return normalized;
}

/** Removes `dir` only; `rm` does not follow symbolic links out of it. */
async function wipe(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

function detail(error: unknown): string {
  if (error === undefined) return '';
  if (error instanceof GitCommandError) return `: ${error.stderr.trim() || error.message}`;
  return `: ${error instanceof Error ? error.message : String(error)}`;
}
