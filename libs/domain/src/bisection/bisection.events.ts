import type { DomainEvent } from '../shared/event.js';

/**
 * Bisection: when a package goes from SUCCESS to FAILED with upstream commits in between that
 * were never built, the commits between are built git-bisect style (first-parent midpoints)
 * until one is identified as the culprit. One stream per (package, last good, first bad):
 * `bisection-<package>@<good commit>_<bad commit>`, so the same breakage is bisected once.
 *
 * Each step is a normal build whose CommitDiscovered carries `purpose: { kind: 'bisection' }`;
 * the steps never move `current` or `consistent` and never change the package status except
 * through the culprit.
 */

/** A build at one end of the bisection range. */
export interface BisectionEnd {
  readonly commitHash: string;
  readonly distroHash: string;
  readonly extendedHash: string | null;
  /** The build that showed this end good or bad; null when given by hand and never built. */
  readonly buildId: string | null;
}

/** Who asked: the service on its own (`auto`), `dlrn bisect`, or `POST /api/bisect`. */
export type BisectionTrigger = 'auto' | 'cli' | 'api';

export type BisectionStarted = DomainEvent<
  'BisectionStarted',
  {
    readonly bisectionId: string;
    readonly package: string;
    readonly good: BisectionEnd;
    readonly bad: BisectionEnd;
    /**
     * First-parent upstream commits after `good` up to and including `bad`, oldest first: the
     * culprit is one of them. Steps build them with `bad`'s dist-git commit.
     */
    readonly candidates: readonly string[];
    readonly trigger: BisectionTrigger;
  }
>;

/** A midpoint was chosen; its build (a build stream with a bisection purpose) is pending. */
export type BisectionStepRequested = DomainEvent<
  'BisectionStepRequested',
  {
    readonly bisectionId: string;
    readonly package: string;
    readonly commitHash: string;
    readonly distroHash: string;
    /** 1 for the first step. */
    readonly step: number;
  }
>;

/**
 * How a step's result reads for the bisection. `skip` (git bisect's word for a commit that
 * cannot be tested): the step failed for another reason than the first failure, or kept failing
 * transiently; it ends the bisection inconclusive.
 */
export type BisectionVerdict = 'good' | 'bad' | 'skip';

export type BisectionStepBuilt = DomainEvent<
  'BisectionStepBuilt',
  {
    readonly bisectionId: string;
    readonly package: string;
    readonly commitHash: string;
    readonly buildId: string;
    readonly step: number;
    readonly status: 'SUCCESS' | 'FAILED';
    readonly verdict: BisectionVerdict;
  }
>;

/** The first bad commit: its parent on the first-parent line built, it does not. */
export type CulpritIdentified = DomainEvent<
  'CulpritIdentified',
  {
    readonly bisectionId: string;
    readonly package: string;
    readonly commitHash: string;
    readonly distroHash: string;
    /** The build that shows the culprit bad (a step, or the first failure itself). */
    readonly buildId: string | null;
    /** The last good commit just before it. */
    readonly lastGoodCommitHash: string;
    /** Steps built to find it. */
    readonly steps: number;
  }
>;

/**
 * No single commit could be named: a midpoint failed for another reason than the first
 * failure, a commit vanished from upstream, a step kept failing transiently, or the range was
 * not a first-parent line.
 */
export type BisectionInconclusive = DomainEvent<
  'BisectionInconclusive',
  {
    readonly bisectionId: string;
    readonly package: string;
    readonly reason:
      'different_failure' | 'vanished_commit' | 'retries_exhausted' | 'not_an_ancestor' | 'no_candidates';
    /** One line for a human: which commit, what was seen. */
    readonly detail: string;
    readonly steps: number;
  }
>;

export type BisectionEvent =
  BisectionStarted | BisectionStepRequested | BisectionStepBuilt | CulpritIdentified | BisectionInconclusive;

export function bisectionStreamId(pkg: string, goodCommitHash: string, badCommitHash: string): string {
  return `bisection-${pkg}@${goodCommitHash}_${badCommitHash}`;
}
