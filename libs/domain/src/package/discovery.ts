import type { BuildType } from '../build/build.events.js';
import type { BuildStatus } from '../build/build.state.js';

/** What discovery needs to know of a package's last processed build (non-RETRY, highest id). */
export interface LastProcessed {
  readonly dtCommit: number;
  readonly commitBranch: string;
}

/**
 * Which commits to list for a package (DLRN `getinfo`, §1.2):
 * - never built → only the branch HEAD;
 * - last build on the configured branch → every first-parent commit with a committer time at or
 *   after the last one's (inclusive, so a dist-git-only change rebuilds the same source commit);
 * - the branch changed in the metadata → resume after the last build made on the new branch,
 *   HEAD only; HEAD only too when nothing was built on it yet.
 * `--head-only` keeps only the newest candidate whatever the window.
 */
export type DiscoveryWindow =
  { readonly kind: 'head' } | { readonly kind: 'since'; readonly after: number; readonly headOnly: boolean };

export function discoveryWindow(options: {
  readonly lastProcessed: LastProcessed | null;
  readonly branch: string;
  /** Newest non-RETRY build made on `branch` (by dt_build, then id), when the branch changed. */
  readonly lastBuiltOnBranch: LastProcessed | null;
  readonly headOnly: boolean;
}): DiscoveryWindow {
  const { lastProcessed, branch, lastBuiltOnBranch, headOnly } = options;
  if (lastProcessed === null) return { kind: 'head' };
  if (lastProcessed.commitBranch === branch) {
    return { kind: 'since', after: lastProcessed.dtCommit, headOnly };
  }
  if (lastBuiltOnBranch === null) return { kind: 'head' };
  return { kind: 'since', after: lastBuiltOnBranch.dtCommit, headOnly: true };
}

/** Applies the window's head-only rule to commits listed oldest first. */
export function applyWindow<T>(window: DiscoveryWindow, commitsOldestFirst: readonly T[]): T[] {
  const headOnly = window.kind === 'head' || window.headOnly;
  if (!headOnly) return [...commitsOldestFirst];
  const last = commitsOldestFirst[commitsOldestFirst.length - 1];
  return last === undefined ? [] : [last];
}

/** A discovered candidate, as `_add_commits` sees it. */
export interface Candidate {
  readonly type: BuildType;
  readonly commitHash: string;
  readonly distroHash: string;
  readonly extendedHash: string | null;
  readonly dtCommit: number;
}

/** Lookups over every package's builds (non-RETRY rows), answered by a read model. */
export interface BuiltIndex {
  hasBuild(key: { type: BuildType; commitHash: string; distroHash: string; extendedHash: string | null }): boolean;
  hasBuildAt(key: { type: BuildType; dtCommit: number; distroHash: string; extendedHash: string | null }): boolean;
}

/**
 * DLRN's de-duplication (§1.4): a candidate is queued unless a non-RETRY build of any package
 * has the same (commit, distro, extended, type), or the same (dt_commit, distro, extended, type)
 * — two commits sharing a timestamp are built once. `--dev` and `--run` always queue.
 */
export function shouldQueue(candidate: Candidate, built: BuiltIndex, options: { force: boolean }): boolean {
  if (options.force) return true;
  const { type, commitHash, distroHash, extendedHash, dtCommit } = candidate;
  if (built.hasBuild({ type, commitHash, distroHash, extendedHash })) return false;
  return !built.hasBuildAt({ type, dtCommit, distroHash, extendedHash });
}

/**
 * DLRN processes all packages' commits interleaved by source commit time; the sort is stable
 * (Array.prototype.sort is, since ES2019), so equal times keep discovery order (package-list
 * order, then git-log order).
 */
export function buildOrder<T extends { readonly dtCommit: number }>(candidates: readonly T[]): T[] {
  return [...candidates].sort((a, b) => a.dtCommit - b.dtCommit);
}

/** `dlrn` exit code: the value of the last processed build that ended non-zero (1 FAILED, 2 RETRY). */
export function runExitCode(results: readonly BuildStatus[]): 0 | 1 | 2 {
  let code: 0 | 1 | 2 = 0;
  for (const status of results) {
    if (status === 'FAILED') code = 1;
    else if (status === 'RETRY') code = 2;
  }
  return code;
}
