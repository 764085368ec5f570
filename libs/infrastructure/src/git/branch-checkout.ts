import type { BranchFallback, FallbackRef, FallbackRefKind } from '#domain/package/branch-fallback.js';
import type { GitCommitInfo } from '#domain/package/git.ports.js';
import type { GitCommandRunner } from './git-command.runner.js';

/** What `refresh` checked out: the requested ref, or one of its fallbacks. */
export interface CheckedOutRef {
  readonly kind: 'requested' | FallbackRefKind;
  readonly ref: string;
  /** The new HEAD when already known from the refs read before the checkout (saves a git run). */
  readonly head?: GitCommitInfo;
}

const ORIGIN = 'refs/remotes/origin/';
const HEADS = 'refs/heads/';
const TAGS = 'refs/tags/';
/** Name, upstream state, and (for refs to commits, i.e. branches) the commit and its time. */
const REF_FORMAT = '--format=%(refname)%00%(upstream:track)%00%(objectname)%00%(committerdate:unix)';

/**
 * After a fetch: drops the local branches whose upstream is gone, then checks out `branch` or
 * its first existing fallback at its upstream state. Returns null when none of them exists.
 *
 * DLRN runs `checkout -f <ref>` (falling back when it exits 1), then `reset --hard origin/<ref>`,
 * or `reset --hard <ref>` for a tag. The same end state costs fewer git processes here: one
 * `for-each-ref` answers which refs exist, and a ref with a remote counterpart is checked out with
 * `checkout -f -B <ref> origin/<ref>` (branch moved to upstream, tracking it, tree reset in one
 * step); anything else (a tag, a commit) is checked out with `checkout -f`, where a reset to the
 * same ref would change nothing. Checking existence first, and passing `--`, also keeps a missing
 * branch named like a file in the tree from being "checked out" as that file.
 */
export async function checkoutWithFallback(
  git: GitCommandRunner,
  dir: string,
  branch: string,
  fallback: BranchFallback,
): Promise<CheckedOutRef | null> {
  // Every candidate, and the upstream of every branch candidate (a local master is reset to it).
  const existing = await existingRefs(git, dir, [
    ORIGIN + branch,
    TAGS + branch,
    ...fallback.candidates.flatMap(({ kind, ref }) =>
      kind === 'tag' ? [TAGS + ref] : [fullRef(kind, ref), ORIGIN + ref],
    ),
  ]);
  const chosen = await choose(git, dir, branch, fallback.candidates, existing);
  if (chosen === null) return null;
  const upstream = chosen.kind === 'tag' ? undefined : existing.get(ORIGIN + chosen.ref);
  if (upstream) {
    await git.run(dir, ['checkout', '--force', '-B', chosen.ref, ORIGIN + chosen.ref, '--']);
    return { ...chosen, head: upstream };
  }
  // Tags by full name, so a branch of the same name cannot win.
  await git.run(dir, ['checkout', '--force', chosen.kind === 'tag' ? TAGS + chosen.ref : chosen.ref, '--']);
  return chosen;
}

async function choose(
  git: GitCommandRunner,
  dir: string,
  branch: string,
  candidates: readonly FallbackRef[],
  existing: ReadonlyMap<string, GitCommitInfo>,
): Promise<CheckedOutRef | null> {
  const named = [HEADS, ORIGIN, TAGS].some((prefix) => existing.has(prefix + branch));
  // Not a branch or tag name: maybe a commit hash or another revision git checkout accepts.
  if (named || (await resolves(git, dir, branch))) return { kind: 'requested', ref: branch };
  return candidates.find(({ kind, ref }) => existing.has(fullRef(kind, ref))) ?? null;
}

/**
 * The subset of `wanted` refs (and local branches) that exist, after deleting the local branches
 * whose upstream is gone. Without that deletion a branch removed upstream (a `stable/<x>` gone
 * EOL) would still check out from its stale local copy and its fallback would never apply. The
 * current branch is detached first: git cannot delete it.
 */
async function existingRefs(
  git: GitCommandRunner,
  dir: string,
  wanted: readonly string[],
): Promise<Map<string, GitCommitInfo>> {
  const out = await git.run(dir, ['for-each-ref', REF_FORMAT, HEADS, ...wanted]);
  const existing = new Map<string, GitCommitInfo>();
  const gone: string[] = [];
  for (const line of out.split('\n')) {
    if (line === '') continue;
    const [ref = '', track, hash = '', time = ''] = line.split('\0');
    if (ref.startsWith(HEADS) && track === '[gone]') gone.push(ref.slice(HEADS.length));
    else existing.set(ref, { hash, committedAt: Number(time) });
  }
  if (gone.length > 0) {
    const current = await git.run(dir, ['symbolic-ref', '--quiet', 'HEAD']).then(
      (ref) => ref.trim().slice(HEADS.length),
      () => null, // already detached
    );
    if (current !== null && gone.includes(current)) await git.run(dir, ['checkout', '--force', '--detach']);
    await git.run(dir, ['branch', '-D', '--', ...gone]);
  }
  return existing;
}

function fullRef(kind: FallbackRefKind, ref: string): string {
  switch (kind) {
    case 'remote-branch':
      return ORIGIN + ref;
    case 'tag':
      return TAGS + ref;
    case 'local-branch':
      return HEADS + ref;
    default: {
      const unknown: never = kind;
      throw new Error(`unknown fallback kind ${String(unknown)}`);
    }
  }
}

async function resolves(git: GitCommandRunner, dir: string, revision: string): Promise<boolean> {
  const args = ['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`];
  return (await git.exitCode(dir, args)) === 0;
}
