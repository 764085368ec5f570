import type { RepoPublished } from '../repo/repo.events.js';
import type { BuildMoved, CommitDiscovered } from './build.events.js';

export interface DiscoverCommit {
  readonly type: 'DiscoverCommit';
  readonly commit: CommitDiscovered['data'];
}

export interface ClaimBuild {
  readonly type: 'ClaimBuild';
  readonly buildId: string;
  readonly builderId: string;
  readonly now: Date;
  /** How long the claim holds without news from the builder. */
  readonly leaseMs: number;
  /**
   * A holder the claimant knows has stopped (a builder process of its host that is gone): its
   * claim is taken over at once, as the claimant's own would be.
   */
  readonly stoppedHolder?: string;
}

export interface StartBuild {
  readonly type: 'StartBuild';
  readonly buildId: string;
  readonly dtBuild: number;
  readonly workerId: number;
  readonly driver: string;
}

/**
 * Discover, claim and start in one decision (one append): what a builder or a remote import
 * does before it builds. The same rules as the three commands in a row; a log written with
 * them as separate appends folds the same.
 */
export interface BeginBuild {
  readonly type: 'BeginBuild';
  readonly commit: DiscoverCommit['commit'];
  readonly claim: Omit<ClaimBuild, 'type'>;
  readonly start: Omit<StartBuild, 'type' | 'buildId'>;
}

/** The repository published for a successful build, recorded atomically with the result. */
export type Publication = Omit<RepoPublished['data'], 'buildId'>;

export type BuildOutcome =
  | {
      readonly status: 'success';
      readonly artifacts: readonly string[];
      readonly nvr: string | null;
      readonly publication: Publication;
    }
  | {
      readonly status: 'failure';
      readonly notes: string;
      /** The first log line matching a known transient error, if any. */
      readonly transientError: string | null;
    };

export interface CompleteBuild {
  readonly type: 'CompleteBuild';
  readonly buildId: string;
  readonly repoDir: string;
  readonly outcome: BuildOutcome;
  /** `maxretries` from the configuration. */
  readonly maxRetries: number;
}

export interface RecheckBuild {
  readonly type: 'RecheckBuild';
  /** `--force-recheck`: also recheck a successful build. */
  readonly force: boolean;
  /** `allow_force_rechecks` from the configuration. */
  readonly allowForceRechecks: boolean;
}

export interface PurgeBuild {
  readonly type: 'PurgeBuild';
  readonly directoryRemoved: boolean;
}

/**
 * The claimant gives its claim up without a result (its work failed before a build outcome
 * existed, e.g. a remote import whose repodata did not check out): the commit may be claimed again
 * at once instead of when the lease ends. Nothing happens unless `buildId` is the claim in force.
 */
export interface AbandonBuild {
  readonly type: 'AbandonBuild';
  readonly buildId: string;
}

/**
 * The claimant's build made a dist-git commit of its own (koji's rhpkg flow) and goes on as the
 * build of the new triple, which the claimant has already claimed in its own stream.
 */
export interface MoveBuild {
  readonly type: 'MoveBuild';
  readonly buildId: string;
  readonly to: Omit<BuildMoved['data'], 'buildId'>;
}

export type BuildCommand =
  | DiscoverCommit
  | ClaimBuild
  | StartBuild
  | BeginBuild
  | CompleteBuild
  | RecheckBuild
  | PurgeBuild
  | AbandonBuild
  | MoveBuild;
