import type { DomainEvent } from '../shared/event.js';

/**
 * A hashed repository was written: the build's RPMs plus links to every other package's.
 * Appended to the build stream together with BuildSucceeded (one atomic append).
 */
export type RepoPublished = DomainEvent<
  'RepoPublished',
  {
    readonly buildId: string;
    readonly package: string;
    readonly commitHash: string;
    readonly distroHash: string;
    readonly extendedHash: string | null;
    readonly component: string | null;
    /** Relative to `<datadir>/repos`: `<c[0:2]>/<c[2:4]>/<commit>_<distro8>`. */
    readonly repoDir: string;
    /** Packages whose latest build was not SUCCESS when the snapshot was taken. */
    readonly failures: number;
    /** `versions.csv` rows: package → [source sha, dist sha, status]. */
    readonly packages: readonly {
      readonly name: string;
      readonly commitHash: string;
      readonly distroHash: string;
      readonly status: string;
      readonly nvr: string | null;
    }[];
    /** `--no-repo`: no links, no createrepo, no .repo file. */
    readonly withRepodata: boolean;
  }
>;

export interface PointerMove {
  readonly buildId: string;
  readonly repoDir: string;
  readonly previousRepoDir: string | null;
  readonly component: string | null;
}

/** `repos/current` now points at the repo of the last successful build. */
export type CurrentMoved = DomainEvent<'CurrentMoved', PointerMove>;

/** `repos/consistent` now points at the last repo in which no package was failing. */
export type ConsistentMoved = DomainEvent<'ConsistentMoved', PointerMove>;

export type RepoEvent = CurrentMoved | ConsistentMoved;

/** One component's part of an aggregated repository. */
export interface AggregateMember {
  readonly component: string;
  /** The component's repository the name pointed at, relative to `<datadir>/repos`. */
  readonly repoDir: string;
}

/**
 * With components on, `repos/<name>/` (`current`, `consistent` or a promotion name) holds the
 * concatenation of the components' `<name>/<reponame>.repo` files (DLRN `aggregate_repo_files`).
 * Recorded when its MD5 (the aggregate hash) differs from the name's previous one; the files in
 * `repos/<name>/<h[0:2]>/<h[2:4]>/<h>/` and the links beside them follow the append.
 */
export type AggregateRepoPublished = DomainEvent<
  'AggregateRepoPublished',
  {
    readonly name: string;
    /** MD5 of the concatenated `.repo` texts, as DLRN computes it. */
    readonly aggregateHash: string;
    /** Relative to `<datadir>/repos`: `<name>/<h[0:2]>/<h[2:4]>/<h>`. */
    readonly aggregateDir: string;
    /** The components whose `.repo` file went into it, in DLRN's (sorted) order. */
    readonly components: readonly AggregateMember[];
  }
>;

export type AggregateEvent = AggregateRepoPublished;

/** Stream of the aggregated repository of a name (`aggregate-current`, `aggregate-<promotion>`). */
export function aggregateStreamId(name: string): string {
  return `aggregate-${name}`;
}

/** Streams of the `current`/`consistent` pointers (per component when components are on). */
export function pointerStreamId(pointer: 'current' | 'consistent', component: string | null = null): string {
  return component ? `pointer-${pointer}@component/${component}` : `pointer-${pointer}`;
}
