import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** A commit as the fixtures created it. */
export interface FixtureCommit {
  readonly hash: string;
  /** Committer time, epoch seconds. */
  readonly committedAt: number;
  readonly message: string;
}

export interface NewCommit {
  readonly message: string;
  /** Committer (and author) time, epoch seconds. */
  readonly date: number;
  /** Path → content; by default `history.txt` gets the message, so every commit changes a file. */
  readonly files?: Readonly<Record<string, string>>;
}

export interface Upstream {
  /** The bare repository. */
  readonly dir: string;
  /** Its file:// URL. */
  readonly url: string;
  /** The commits of `branch`, oldest first. */
  readonly commits: readonly FixtureCommit[];
}

const COMMITTER = 'Fixture Committer <fixture@example.org>';
let isolatedEnv: NodeJS.ProcessEnv | undefined;

/**
 * The environment every fixture git command runs with, and the one to hand the adapter: no
 * system or user config (HOME is a fresh directory), a fixed identity, C locale.
 */
export function gitTestEnv(): NodeJS.ProcessEnv {
  if (!isolatedEnv) {
    const home = mkdtempSync(join(tmpdir(), 'dlrn-git-home-'));
    isolatedEnv = {
      PATH: process.env.PATH,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      LC_ALL: 'C',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'Fixture Author',
      GIT_AUTHOR_EMAIL: 'fixture@example.org',
      GIT_COMMITTER_NAME: 'Fixture Committer',
      GIT_COMMITTER_EMAIL: 'fixture@example.org',
    };
  }
  return isolatedEnv;
}

/** Runs git with an argument array (no shell) and returns stdout; rejects on a non-zero exit. */
export function git(cwd: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((done, fail) => {
    const stdin = input === undefined ? 'ignore' : 'pipe';
    const child = spawn('git', args, { cwd, env: gitTestEnv(), stdio: [stdin, 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', fail);
    child.on('close', (code) => {
      if (code === 0) done(Buffer.concat(out).toString('utf8'));
      else fail(new Error(`git ${args.join(' ')} exited ${code}: ${Buffer.concat(err).toString('utf8')}`));
    });
    // A git that dies early closes its stdin: the exit code tells the story, not EPIPE.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
  });
}

/** A fresh temporary directory for one test. */
export function tempDir(prefix = 'dlrn-git-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * A bare repository at `dir` whose `branch` holds `commits` commits, one a `step` seconds apart
 * from `start`, written in one `git fast-import` stream (20,000 commits take a few seconds).
 * `tags` names lightweight tags by commit index (0 = oldest).
 */
export async function createUpstream(
  dir: string,
  options: {
    readonly commits: number;
    readonly branch?: string;
    readonly tags?: Readonly<Record<string, number>>;
    readonly start?: number;
    readonly step?: number;
  },
): Promise<Upstream> {
  const { commits, branch = 'main', tags = {}, start = 1_700_000_000, step = 60 } = options;
  mkdirSync(dir, { recursive: true });
  await git(dir, ['init', '--quiet', '--bare', `--initial-branch=${branch}`]);
  const stream: string[] = [];
  for (let i = 0; i < commits; i++) {
    stream.push(commitCommand(branch, { message: `commit ${i + 1}`, date: start + i * step }, null));
  }
  await git(dir, ['fast-import', '--quiet'], stream.join(''));
  const history = await firstParentCommits(dir, branch);
  for (const [tag, index] of Object.entries(tags)) {
    const commit = history[index];
    if (!commit) throw new Error(`tag ${tag}: no commit #${index}`);
    await addTag(dir, tag, commit.hash);
  }
  return { dir, url: pathToFileURL(dir).href, commits: history };
}

/** Appends a commit to `branch` (which must exist) of `repoDir`, bare or not. */
export async function addCommit(
  repoDir: string,
  commit: NewCommit & { readonly branch?: string },
): Promise<FixtureCommit> {
  const branch = commit.branch ?? 'main';
  await git(repoDir, ['fast-import', '--quiet'], commitCommand(branch, commit, `refs/heads/${branch}^0`));
  return tip(repoDir, branch);
}

/** Appends several commits to `branch`, oldest first. */
export async function addCommits(
  repoDir: string,
  commits: readonly NewCommit[],
  branch = 'main',
): Promise<FixtureCommit[]> {
  const added: FixtureCommit[] = [];
  for (const commit of commits) added.push(await addCommit(repoDir, { ...commit, branch }));
  return added;
}

/** A merge commit on `branch` whose second parent is the tip of `from`. */
export async function addMerge(
  repoDir: string,
  merge: NewCommit & { readonly branch?: string; readonly from: string },
): Promise<FixtureCommit> {
  const branch = merge.branch ?? 'main';
  const command = commitCommand(branch, merge, `refs/heads/${branch}^0`, `refs/heads/${merge.from}^0`);
  await git(repoDir, ['fast-import', '--quiet'], command);
  return tip(repoDir, branch);
}

/** Creates (or moves) branch `name` to commit `at`. */
export async function createBranch(repoDir: string, name: string, at: string): Promise<void> {
  await git(repoDir, ['update-ref', `refs/heads/${name}`, at]);
}

export async function deleteBranch(repoDir: string, name: string): Promise<void> {
  await git(repoDir, ['update-ref', '-d', `refs/heads/${name}`]);
}

/** A lightweight tag `name` on commit `at`. */
export async function addTag(repoDir: string, name: string, at: string): Promise<void> {
  await git(repoDir, ['update-ref', `refs/tags/${name}`, at]);
}

/**
 * What a force-push does upstream: `branch` is moved back to `onto`, then `commits` are added on
 * top, so every commit after `onto` leaves the branch's history.
 */
export async function forcePush(
  repoDir: string,
  rewrite: { readonly branch?: string; readonly onto: string; readonly commits: readonly NewCommit[] },
): Promise<FixtureCommit[]> {
  const branch = rewrite.branch ?? 'main';
  await createBranch(repoDir, branch, rewrite.onto);
  return addCommits(repoDir, rewrite.commits, branch);
}

/** First-parent commits of `ref`, oldest first. */
export async function firstParentCommits(repoDir: string, ref: string): Promise<FixtureCommit[]> {
  const out = await git(repoDir, ['log', '--first-parent', '--reverse', '--format=%H%x00%ct%x00%s', ref, '--']);
  return out
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [hash = '', time = '', message = ''] = line.split('\0');
      return { hash, committedAt: Number(time), message };
    });
}

async function tip(repoDir: string, branch: string): Promise<FixtureCommit> {
  const out = await git(repoDir, ['log', '-1', '--format=%H%x00%ct%x00%s', `refs/heads/${branch}`, '--']);
  const [hash = '', time = '', message = ''] = out.trim().split('\0');
  return { hash, committedAt: Number(time), message };
}

function commitCommand(branch: string, commit: NewCommit, from: string | null, merge?: string): string {
  const files = commit.files ?? { 'history.txt': `${commit.message}\n` };
  const lines = [
    `commit refs/heads/${branch}`,
    `committer ${COMMITTER} ${commit.date} +0000`,
    data(commit.message),
    ...(from ? [`from ${from}`] : []),
    ...(merge ? [`merge ${merge}`] : []),
    ...Object.entries(files).map(([path, content]) => `M 100644 inline ${path}\n${data(content)}`),
  ];
  return `${lines.join('\n')}\n\n`;
}

function data(text: string): string {
  return `data ${Buffer.byteLength(text)}\n${text}`;
}
