/** A commit as discovery needs it. */
export interface GitCommitInfo {
  readonly hash: string;
  /** Committer time, epoch seconds (DLRN's dt_commit / dt_distro). */
  readonly committedAt: number;
}

/** DLRN's branch fallback settings (`fallback_to_master`, `nonfallback_branches`, `source`). */
export interface BranchPolicy {
  /** The configured default upstream branch (`[DEFAULT] source`): only it may fall back to EOL refs. */
  readonly sourceBranch: string | null;
  readonly fallbackToMaster: boolean;
  /** Regexes, matched from the start of the branch name (Python `re.match`). */
  readonly nonfallbackBranches: readonly string[];
}

export interface RefreshRequest {
  readonly url: string;
  /** `<datadir>/<package>` or `<datadir>/<package>_distro`. */
  readonly dir: string;
  readonly branch: string;
  /** `--local`: use an existing checkout as it is (no fetch, no reset). */
  readonly local: boolean;
  readonly policy: BranchPolicy;
}

export interface CheckoutResult {
  /** The ref actually checked out: the requested branch or its fallback. */
  readonly branch: string;
  readonly head: GitCommitInfo;
}

/** Why a first-parent range cannot be answered (see GitRepositories.firstParentRange). */
export type FirstParentRangeRefusal =
  /** Not a hexadecimal hash or prefix (4 to 40 digits, or 64 for SHA-256 repositories). */
  | 'invalid_commit'
  /** No commit, or more than one, in the clone answers to it. */
  | 'unknown_commit'
  | 'ambiguous_commit'
  /** `good` is not on the first-parent line of `bad` (or is `bad`'s descendant). */
  | 'not_an_ancestor';

/** Thrown by firstParentRange; `commit` is the argument as given. */
export class FirstParentRangeError extends Error {
  constructor(
    readonly reason: FirstParentRangeRefusal,
    readonly commit: string,
    message: string,
    /** Both ends resolved to full hashes, when they were (`not_an_ancestor`). */
    readonly ends: { readonly good: string; readonly bad: string } | null = null,
  ) {
    super(message);
    this.name = 'FirstParentRangeError';
  }
}

/** The answer of firstParentRange: both ends resolved to full hashes, and the commits between. */
export interface FirstParentRange {
  readonly good: GitCommitInfo;
  readonly bad: GitCommitInfo;
  /** First-parent commits after `good` up to and including `bad`, oldest first (empty when good = bad). */
  readonly commits: readonly GitCommitInfo[];
}

/** Thrown when a repository cannot be cloned, fetched or checked out: the package is skipped. */
export class GitRefreshError extends Error {
  constructor(
    readonly url: string,
    readonly branch: string,
    message: string,
  ) {
    super(message);
    this.name = 'GitRefreshError';
  }
}

/**
 * Git as the build loop uses it (DLRN `refreshrepo` and the drivers' `git log`). Implemented
 * with git (execFile) in infrastructure; tests use real repositories.
 */
export abstract class GitRepositories {
  /**
   * Clones `url` into `dir`, or refreshes the clone: re-clones when `origin` changed or `dir`
   * is not a repository, `fetch --prune`, checks out `branch` (with DLRN's fallback rules) and
   * hard-resets it to `origin/<branch>` (or to the tag). Throws GitRefreshError.
   */
  abstract refresh(request: RefreshRequest): Promise<CheckoutResult>;

  /** First-parent commits of HEAD with a committer time ≥ `after` (all when absent), oldest first. */
  abstract listCommits(dir: string, after?: number): Promise<GitCommitInfo[]>;

  /** Whether `ancestor` is reachable from HEAD (false when it no longer exists). */
  abstract isAncestor(dir: string, ancestor: string): Promise<boolean>;

  /**
   * The bisection range in the clone at `dir`: `good` and `bad` (full hashes or unique
   * prefixes) resolved, and the first-parent commits after `good` up to and including `bad`,
   * oldest first. Throws FirstParentRangeError when either is not a hash, is unknown or
   * ambiguous, or when `good` is not on `bad`'s first-parent line. Independent of HEAD.
   */
  abstract firstParentRange(dir: string, good: string, bad: string): Promise<FirstParentRange>;
}
