import type { CommitDescription } from '#domain/bisection/commit-log.port.js';
import type { BuildPurpose } from '#domain/build/build.events.js';
import type { BuildDoc } from '#domain/projections/index.js';

/** How a commit of the range was built, once per attempt. */
export interface CommitBuild {
  readonly buildId: string;
  readonly status: BuildDoc['status'];
  readonly purpose: BuildPurpose;
  readonly distroHash: string;
  readonly dtBuild: number | null;
  readonly rechecked: boolean;
}

/** What the history says of a commit: built good, built bad, building or retrying, or never built. */
export type CommitVerdict = 'good' | 'bad' | 'pending' | 'unbuilt';

export interface RangeCommit {
  readonly hash: string;
  readonly committedAt: number;
  /** From the upstream clone's log; null for the good end (outside the range's log). */
  readonly description: Omit<CommitDescription, 'hash' | 'committedAt'> | null;
  readonly builds: readonly CommitBuild[];
  readonly verdict: CommitVerdict;
}

/** A commit's verdict from its attempts: the newest result that still counts (rechecked ones do not). */
export function verdictOf(builds: readonly CommitBuild[]): CommitVerdict {
  for (let i = builds.length - 1; i >= 0; i--) {
    const build = builds[i]!;
    if (build.rechecked) continue;
    if (build.status === 'SUCCESS') return 'good';
    if (build.status === 'FAILED') return 'bad';
    return 'pending';
  }
  return 'unbuilt';
}

/**
 * DLRN's question on a first-parent line, good end first: the first commit built bad, and the
 * last one built good before it (before the end of the line when none is bad). Indices into
 * `line`; null when there is none.
 */
export function knownEnds(line: readonly { readonly verdict: CommitVerdict }[]): {
  readonly lastKnownGood: number | null;
  readonly firstKnownBad: number | null;
} {
  const bad = line.findIndex((c) => c.verdict === 'bad');
  const upTo = bad === -1 ? line.length : bad;
  let good: number | null = null;
  for (let i = 0; i < upTo; i++) if (line[i]!.verdict === 'good') good = i;
  return { lastKnownGood: good, firstKnownBad: bad === -1 ? null : bad };
}

/** The attempts of one package by upstream commit, oldest attempt first. */
export function buildsByCommit(docs: readonly BuildDoc[]): Map<string, CommitBuild[]> {
  const byCommit = new Map<string, CommitBuild[]>();
  for (const doc of [...docs].sort((a, b) => a.id - b.id)) {
    const builds = byCommit.get(doc.commitHash) ?? [];
    builds.push({
      buildId: doc.buildId,
      status: doc.status,
      purpose: doc.purpose,
      distroHash: doc.distroHash,
      dtBuild: doc.dtBuild,
      rechecked: doc.rechecked,
    });
    byCommit.set(doc.commitHash, builds);
  }
  return byCommit;
}
