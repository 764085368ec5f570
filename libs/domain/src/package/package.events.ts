import type { DomainEvent } from '../shared/event.js';

/**
 * The branch was force-pushed: the last processed commit is no longer an ancestor of HEAD.
 * Recorded instead of failing; discovery restarts from HEAD.
 */
export type HistoryRewritten = DomainEvent<
  'HistoryRewritten',
  {
    readonly package: string;
    readonly repository: 'source' | 'distgit';
    readonly branch: string;
    readonly knownCommit: string;
    readonly newHead: string;
  }
>;

/** The package's git refresh failed; it is skipped this pass (DLRN's `skiplist.txt`). */
export type PackageSkipped = DomainEvent<'PackageSkipped', { readonly package: string; readonly reason: string }>;

/** Maintainers were told by mail that a build FAILED (throttled to one per 24 h). */
export type FailureNotified = DomainEvent<
  'FailureNotified',
  {
    readonly package: string;
    readonly buildId: string;
    readonly recipients: readonly string[];
    readonly subject: string;
    /** Epoch seconds: DLRN's `projects.last_email`. */
    readonly sentAt: number;
  }
>;

/** The Gerrit "FTBFS" review step ran for the first failure after a success. */
export type ReviewRequested = DomainEvent<
  'ReviewRequested',
  {
    readonly package: string;
    readonly buildId: string;
    readonly topic: string;
    readonly exitCode: number;
    readonly output: string;
  }
>;

/**
 * A "culprit identified" mail is due: the failure mail went out before the bisection named the
 * culprit. Recorded before the mail is sent (the outbox): once per bisection, and a pass that
 * crashes after recording it sends it at the end of the next pass.
 */
export type CulpritMailQueued = DomainEvent<
  'CulpritMailQueued',
  {
    readonly package: string;
    readonly bisectionId: string;
    readonly commitHash: string;
    /** The recipients of the failure mail it follows. */
    readonly recipients: readonly string[];
    readonly subject: string;
    /** The mail as it goes: the pass that sends it need not find the culprit again. */
    readonly text: string;
    /** The Message-ID's local part: the same on every attempt, so a resent copy is recognisably the same mail. */
    readonly messageId: string;
  }
>;

/** The "culprit identified" mail of a bisection was accepted by the SMTP server. */
export type CulpritNotified = DomainEvent<
  'CulpritNotified',
  {
    readonly package: string;
    readonly bisectionId: string;
    readonly messageId: string;
    /** Epoch seconds. */
    readonly sentAt: number;
  }
>;

export type PackageEvent =
  HistoryRewritten | PackageSkipped | FailureNotified | ReviewRequested | CulpritMailQueued | CulpritNotified;
