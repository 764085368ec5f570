import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import {
  buildsProjection,
  COMMIT_BUILD,
  HistoryUnavailableError,
  ReadModelStore,
  repoPointersProjection,
  type ReadModelReader,
} from '#domain/projections/index.js';
import type { RepoPublished } from '#domain/repo/repo.events.js';
import { EventStore } from '#domain/shared/event-store.port.js';
import { parseVersionsCsv, ResourceQueries, type RepoBuild } from '../resource-queries.js';
import { diffSnapshots, snapshotOfVersionsCsv, type SnapshotDiff, type SnapshotPackage } from './repo-diff.js';

/** One side of a diff: a repo hash or a pointer name, optionally as it was at a log position. */
export interface DiffSide {
  readonly ref: string;
  /** The log position to read the pointer at (time travel); null: now. */
  readonly at: number | null;
  /** The `as_of` as asked (a position or an ISO-8601 instant), shown beside the ref; null: now. */
  readonly asOf: string | null;
}

/** A side resolved: the repository and its snapshot. */
export interface ResolvedSide extends DiffSide {
  readonly build: RepoBuild;
  /** Where the package list came from: the build's RepoPublished event, or its versions.csv. */
  readonly source: 'log' | 'versions.csv';
  readonly packages: readonly SnapshotPackage[];
}

export interface RepoDiff extends SnapshotDiff {
  readonly from: ResolvedSide;
  readonly to: ResolvedSide;
  /** Upstream URL per changed package (from the build of its new commit), when known. */
  readonly upstreams: Readonly<Record<string, string | null>>;
}

/** Why a diff cannot be answered: which side, and what is wrong with it. */
export type RepoDiffRefusal =
  | { readonly refusal: 'unknown_repo'; readonly side: 'from' | 'to'; readonly ref: string }
  | { readonly refusal: 'no_snapshot'; readonly side: 'from' | 'to'; readonly ref: string }
  | { readonly refusal: 'as_of_unavailable'; readonly side: 'from' | 'to'; readonly reason: string };

/** `GET /api/diff?from=&to=`: packages added, removed and changed between two repositories. */
export class RepoDiffQuery extends Query<RepoDiff | RepoDiffRefusal> {
  constructor(
    readonly from: DiffSide,
    readonly to: DiffSide,
  ) {
    super();
  }
}

/** `<commit>_<distro8>` as DLRN's repo_hash, or `<commit>_<distro>`. */
const REPO_HASH = /^([0-9a-zA-Z.-]+)_([0-9a-zA-Z.-]+)$/;

/**
 * The newest counted success of a commit whose distro hash starts with `distroPrefix`: the
 * commit's few builds through the (commit_hash, distro_hash) index, the rules applied here, with
 * no ORDER BY that would let the planner walk the whole timeline index instead.
 */
async function successByHash(
  reader: ReadModelReader,
  commitHash: string,
  distroPrefix: string,
): Promise<RepoBuild | null> {
  const rows = await reader.find(buildsProjection, {
    where: { commit_hash: commitHash },
    prefix: { distro_hash: distroPrefix },
  });
  let best: RepoBuild | null = null;
  for (const { doc } of rows) {
    if (doc.status !== 'SUCCESS' || doc.rechecked || doc.purpose.kind !== COMMIT_BUILD || doc.repoDir === null)
      continue;
    if (best === null || (doc.completedPosition ?? 0) > (best.completedPosition ?? 0)) best = doc as RepoBuild;
  }
  return best;
}

/** Lookups of upstream URLs run at most this many at a time. */
const UPSTREAM_LOOKUPS = 16;

@QueryHandler(RepoDiffQuery)
export class RepoDiffHandler implements IQueryHandler<RepoDiffQuery, RepoDiff | RepoDiffRefusal> {
  constructor(
    @Inject(ResourceQueries) private readonly queries: ResourceQueries,
    @Inject(EventStore) private readonly events: EventStore,
    @Inject(ReadModelStore) private readonly store: ReadModelStore,
  ) {}

  async execute({ from, to }: RepoDiffQuery): Promise<RepoDiff | RepoDiffRefusal> {
    const [before, after] = await Promise.all([this.side('from', from), this.side('to', to)]);
    if ('refusal' in before) return before;
    if ('refusal' in after) return after;
    const diff = diffSnapshots(before.packages, after.packages);
    const upstreams: Record<string, string | null> = Object.create(null) as Record<string, string | null>;
    const moved = diff.changed.filter((c) => c.upstreamChanged).map((c) => c.to);
    for (let i = 0; i < moved.length; i += UPSTREAM_LOOKUPS) {
      const batch = moved.slice(i, i + UPSTREAM_LOOKUPS);
      const urls = await Promise.all(batch.map((p) => this.upstreamOf(p)));
      batch.forEach((p, k) => (upstreams[p.name] = urls[k]!));
    }
    return { ...diff, from: before, to: after, upstreams };
  }

  private async side(name: 'from' | 'to', side: DiffSide): Promise<ResolvedSide | RepoDiffRefusal> {
    let build: RepoBuild | null;
    try {
      // A pointer is read where it pointed then; a hash names the same repository at any time.
      const reader: ReadModelReader = side.at === null ? this.store : this.store.asOf(side.at);
      const pointer = await reader.get(repoPointersProjection, side.ref);
      const hash = pointer === null ? REPO_HASH.exec(side.ref) : null;
      build = hash
        ? await successByHash(reader, hash[1]!, hash[2]!)
        : ((await this.queries.at(side.at).repo(side.ref))?.build ?? null);
    } catch (error) {
      if (error instanceof HistoryUnavailableError) {
        return { refusal: 'as_of_unavailable', side: name, reason: error.message };
      }
      throw error;
    }
    if (build === null) return { refusal: 'unknown_repo', side: name, ref: side.ref };
    const published = await this.publishedSnapshot(build);
    if (published !== null) return { ...side, build, source: 'log', packages: published };
    const csv = await this.queries.versionsCsv(build.repoDir);
    if (csv === null) return { refusal: 'no_snapshot', side: name, ref: side.ref };
    return { ...side, build, source: 'versions.csv', packages: snapshotOfVersionsCsv(parseVersionsCsv(csv)) };
  }

  /**
   * The snapshot the build published, from its own stream (a handful of events, newest first):
   * RepoPublished is appended with the build's success, so it is found near the end.
   */
  private async publishedSnapshot(build: RepoBuild): Promise<readonly SnapshotPackage[] | null> {
    const events = await this.events.readStream(build.streamId, { direction: 'backwards' });
    const published = events.find(
      (e): e is typeof e & { data: RepoPublished['data'] } =>
        e.type === 'RepoPublished' && (e.data as RepoPublished['data']).buildId === build.buildId,
    );
    // A snapshot of no package is what logs imported without versions.csv rows hold: not a snapshot.
    return published && published.data.packages.length > 0 ? published.data.packages : null;
  }

  /** The upstream URL recorded when the package's new commit was discovered. */
  private async upstreamOf(pkg: SnapshotPackage): Promise<string | null> {
    const rows = await this.store.find(buildsProjection, {
      where: { commit_hash: pkg.commitHash, distro_hash: pkg.distroHash, package: pkg.name },
      limit: 1,
    });
    return rows[0]?.doc.upstreamUrl ?? null;
  }
}
