import type { RepoPublished } from '../repo/repo.events.js';
import type { DomainEvent } from '../shared/event.js';
import type { DatedCommitRef } from './commit-ref.js';

/** Build types DLRN knows; only `rpm` is built (`container` is reserved). */
export type BuildType = 'rpm' | 'container';

/**
 * Why a commit is built: as a new commit of its package (DLRN's builds), or as one step of a
 * bisection (`bisection-<package>@<good>_<bad>`, step 1, 2…). Bisection steps are real builds
 * (the timeline shows them) that never move `current`/`consistent`, never send mail and never
 * count in DLRN's views. Later kinds (change builds) join this union.
 */
export type BuildPurpose =
  { readonly kind: 'commit' } | { readonly kind: 'bisection'; readonly bisectionId: string; readonly step: number };

/** The purpose of every build that is not a bisection step. */
export const COMMIT_PURPOSE: BuildPurpose = Object.freeze({ kind: 'commit' });

/** Whether a discovered commit is built as a bisection step. */
export function isBisectionStep(commit: { readonly purpose: BuildPurpose }): boolean {
  return commit.purpose.kind === 'bisection';
}

/** A build candidate: the package, its dated commit triple, and where the commits came from. */
export interface DiscoveredCommit extends DatedCommitRef {
  readonly package: string;
  readonly project: string;
  readonly type: BuildType;
  /** Source branch actually checked out (after any fallback). */
  readonly commitBranch: string;
  readonly component: string | null;
  readonly upstreamUrl: string | null;
  readonly distgitUrl: string | null;
  /** Downstream driver: the versions.csv this commit was pinned from. */
  readonly versionsCsv: string | null;
  /** Since schema version 2; version 1 events read as `{ kind: 'commit' }`. */
  readonly purpose: BuildPurpose;
}

/**
 * A (source, dist-git, extended) commit triple of a package was seen and is a build candidate.
 * First event of a build stream; discovering the same triple again appends nothing.
 */
export type CommitDiscovered = DomainEvent<'CommitDiscovered', DiscoveredCommit>;

/** A builder took the triple; nobody else builds it until the lease expires. */
export type BuildClaimed = DomainEvent<
  'BuildClaimed',
  {
    readonly buildId: string;
    /** 1 for the first attempt of this triple, +1 for every retry or recheck. */
    readonly attempt: number;
    readonly builderId: string;
    readonly leaseExpiresAt: string;
  }
>;

/** A claim whose builder vanished (lease expired) was given up so another builder can claim. */
export type BuildAbandoned = DomainEvent<
  'BuildAbandoned',
  { readonly buildId: string; readonly reason: 'lease_expired' | 'builder_stopped' }
>;

/**
 * The build made a dist-git commit of its own and goes on as the build of that commit: koji's
 * rhpkg flow (`rhpkg import` and `rhpkg commit -p` push the source RPM as a new dist-git commit,
 * which `rhpkg build` then builds). DLRN rewrites its row's distro hash (with the downstream
 * driver: its extended hash) in place. Here the attempt ends in this stream and goes on in the
 * new triple's own stream (`toStreamId`, claimed by the same builder as `toBuildId`), so the next
 * pass, which finds the dist-git at the new commit, sees it built. This triple is never claimed
 * again.
 */
export type BuildMoved = DomainEvent<
  'BuildMoved',
  {
    readonly buildId: string;
    readonly toStreamId: string;
    readonly toBuildId: string;
    /** The new triple: the same source commit, the dist-git (or extended) hash the build made. */
    readonly distroHash: string;
    readonly dtDistro: number;
    readonly extendedHash: string | null;
    readonly dtExtended: number | null;
    /** What made the commit, e.g. `rhpkg commit`. */
    readonly cause: string;
  }
>;

/** The build really began: DLRN's `dt_build` (also the `RELEASE_DATE` of the NVR). */
export type BuildStarted = DomainEvent<
  'BuildStarted',
  {
    readonly buildId: string;
    readonly dtBuild: number;
    readonly workerId: number;
    /** Build driver short name (`rpmbuild`, `mock`, `koji`, `copr`). */
    readonly driver: string;
  }
>;

export type BuildSucceeded = DomainEvent<
  'BuildSucceeded',
  {
    readonly buildId: string;
    /** Paths relative to datadir: `repos/<hashed dir>/<file>.rpm`. */
    readonly artifacts: readonly string[];
    /** `<name>-<version>-<release>` of the source RPM, when one was built. */
    readonly nvr: string | null;
    readonly repoDir: string;
    readonly notes: string;
  }
>;

/** A non-transient failure, or a transient one after `maxretries` retries. */
export type BuildFailed = DomainEvent<
  'BuildFailed',
  {
    readonly buildId: string;
    readonly repoDir: string;
    readonly notes: string;
  }
>;

/** A transient failure (mirror down, DNS…): the triple will be built again on the next pass. */
export type BuildRetryScheduled = DomainEvent<
  'BuildRetryScheduled',
  {
    readonly buildId: string;
    readonly repoDir: string;
    readonly notes: string;
    /** The known-error line that made it transient. */
    readonly matchedError: string;
    /** Retries recorded for this triple, this one included. */
    readonly retries: number;
    readonly maxRetries: number;
  }
>;

/** DLRN deletes the row; we record that the last result no longer counts, so it is rebuilt. */
export type BuildRechecked = DomainEvent<
  'BuildRechecked',
  {
    readonly buildId: string;
    readonly previousStatus: 'SUCCESS' | 'FAILED';
    readonly forced: boolean;
  }
>;

/** The build's repository directory was removed by `dlrn purge`; the history stays. */
export type BuildPurged = DomainEvent<
  'BuildPurged',
  {
    readonly buildId: string;
    readonly repoDir: string;
    /** False when the directory was kept because a successful build of the same commit shares it. */
    readonly directoryRemoved: boolean;
  }
>;

export type BuildEvent =
  | RepoPublished
  | CommitDiscovered
  | BuildClaimed
  | BuildAbandoned
  | BuildMoved
  | BuildStarted
  | BuildSucceeded
  | BuildFailed
  | BuildRetryScheduled
  | BuildRechecked
  | BuildPurged;
