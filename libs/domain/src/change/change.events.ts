import type { DomainEvent } from '../shared/event.js';
import type { Forge } from '../webhook/webhook.events.js';

/** Which of a package's two repositories a change proposes to change. */
export const CHANGE_SIDES = ['upstream', 'distgit'] as const;
export type ChangeSide = (typeof CHANGE_SIDES)[number];

/** What every change-build event names: the stream's identity, repeated so projections need no context. */
export interface ChangeBuildKey {
  readonly forge: Forge;
  /** The forge's number for the change: the pull request, merge request (iid) or Gerrit change number. */
  readonly change: string;
  readonly package: string;
  readonly side: ChangeSide;
}

/**
 * A forge proposed a change (pull request, merge request, Gerrit patch set) to a repository a
 * package follows, on the branch it follows (issue 18, item 2): build the package at the
 * change's head as a scratch build. `patchset` is Gerrit's patch set number; for the other
 * forges, which number none, each new head of the change is the next one (1, 2, …).
 */
export type ChangeBuildRequested = DomainEvent<
  'ChangeBuildRequested',
  ChangeBuildKey & {
    readonly patchset: number;
    /** The package's own URL for that repository (from the package metadata, never the payload). */
    readonly repositoryUrl: string;
    /** `refs/pull/<n>/head`, `refs/merge-requests/<n>/head`, `refs/changes/<nn>/<n>/<ps>`. */
    readonly fetchRef: string;
    /** The head commit the payload named; the build refuses a ref that no longer points at it. */
    readonly headSha: string;
    readonly deliveryId: string;
    readonly requestedAt: string;
  }
>;

/** A builder took the request (one start per request; a lease lets another take it from a dead builder). */
export type ChangeBuildStarted = DomainEvent<
  'ChangeBuildStarted',
  ChangeBuildKey & {
    readonly patchset: number;
    readonly builderId: string;
    readonly startedAt: string;
    readonly leaseExpiresAt: string;
  }
>;

export type ChangeBuildSucceeded = DomainEvent<
  'ChangeBuildSucceeded',
  ChangeBuildKey & {
    readonly patchset: number;
    /** The change's repository, relative to datadir: `repos/changes/<forge>/<change>/<patchset>/<package>`. */
    readonly repoPath: string;
    /** File names of the RPMs in it, source RPM included. */
    readonly rpms: readonly string[];
    readonly nvr: string;
    /** The `.repo` file's name in `repoPath`: this repository and `consistent`. */
    readonly repoFile: string;
  }
>;

export type ChangeBuildFailed = DomainEvent<
  'ChangeBuildFailed',
  ChangeBuildKey & {
    readonly patchset: number;
    readonly reason: string;
    /** The build log relative to datadir, null when the build did not get as far as writing one. */
    readonly logPath: string | null;
  }
>;

/** A newer patch set of the change replaced this one: queued, it is never built; running, its result stands but is stale. */
export type ChangeBuildSuperseded = DomainEvent<
  'ChangeBuildSuperseded',
  ChangeBuildKey & { readonly patchset: number; readonly byPatchset: number }
>;

/** The change was closed or merged: its queued build is dropped. */
export type ChangeBuildCancelled = DomainEvent<
  'ChangeBuildCancelled',
  ChangeBuildKey & { readonly patchset: number; readonly reason: 'closed' | 'merged' }
>;

/** A change's repository removed by `dlrn purge` (`[changes] keep_days`); the facts stay. */
export type ChangeBuildPurged = DomainEvent<
  'ChangeBuildPurged',
  ChangeBuildKey & { readonly patchset: number; readonly repoPath: string }
>;

export type ChangeBuildEvent =
  | ChangeBuildRequested
  | ChangeBuildStarted
  | ChangeBuildSucceeded
  | ChangeBuildFailed
  | ChangeBuildSuperseded
  | ChangeBuildCancelled
  | ChangeBuildPurged;

/** The stream category: one stream per (forge, side, change, package). */
export const CHANGE_BUILD_STREAM_PREFIX = 'changebuild-';

const CHANGE_NUMBER = /^[1-9][0-9]{0,11}$/;
const PACKAGE = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,199}$/;

/** A forge's change number: digits, no leading zero, at most 12. */
export function isChangeNumber(value: string): boolean {
  return CHANGE_NUMBER.test(value);
}

/**
 * `changebuild-<forge>_<side>_<change>_<package>`: every part validated (forge and side are
 * enumerated, the change is digits, the package RPM's name characters), so no payload can
 * name another stream or a path.
 */
export function changeBuildStreamId(key: ChangeBuildKey): string {
  if (!isChangeNumber(key.change)) throw new Error(`invalid change number ${JSON.stringify(key.change)}`);
  if (!PACKAGE.test(key.package) || key.package.includes('..'))
    throw new Error(`invalid package name ${JSON.stringify(key.package)}`);
  return `${CHANGE_BUILD_STREAM_PREFIX}${key.forge}_${key.side}_${key.change}_${key.package}`;
}

/**
 * Where a change build's repository lives, relative to datadir:
 * `repos/changes/<forge>/<change>/<patchset>/<package>` (`<package>_distro` for a dist-git
 * change), so that one change touching several packages, or the upstream and the dist-git of
 * one package numbering their changes alike, never share a directory.
 */
export function changeRepoPath(key: ChangeBuildKey, patchset: number): string {
  changeBuildStreamId(key);
  if (!Number.isSafeInteger(patchset) || patchset < 1) throw new Error(`invalid patch set ${patchset}`);
  const dir = key.side === 'distgit' ? `${key.package}_distro` : key.package;
  return `repos/changes/${key.forge}/${key.change}/${patchset}/${dir}`;
}
