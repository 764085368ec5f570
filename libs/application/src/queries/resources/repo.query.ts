import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { CiVoteDoc, PromotionDoc, RepoPointerDoc } from '#domain/projections/index.js';
import { parseVersionsCsv, ResourceQueries, type RepoBuild } from '../resource-queries.js';

/** What a repository holds and what was said of it. */
export interface RepoContents {
  /** The successful build that made it. */
  readonly build: RepoBuild;
  /** Pointer names (current, consistent, promotions) that point at it now. */
  readonly pointers: readonly RepoPointerDoc[];
  /** versions.csv rows; null once purged (or never written). */
  readonly contents: Record<string, string>[] | null;
  /** Newest first. */
  readonly votes: readonly CiVoteDoc[];
  /** Newest first. */
  readonly promotions: readonly PromotionDoc[];
}

/**
 * `GET /api/repos/:ref`: a repository by pointer name or repo hash, null when none is known.
 */
export class RepoQuery extends Query<RepoContents | null> {
  constructor(
    readonly ref: string,
    /** A log position to answer at (time travel, `as_of`); null: now. */
    readonly at: number | null = null,
  ) {
    super();
  }
}

@QueryHandler(RepoQuery)
export class RepoHandler implements IQueryHandler<RepoQuery, RepoContents | null> {
  constructor(@Inject(ResourceQueries) private readonly queries: ResourceQueries) {}

  async execute({ ref, at }: RepoQuery): Promise<RepoContents | null> {
    const queries = this.queries.at(at);
    const found = await queries.repo(ref);
    if (found === null) return null;
    const { build, pointers } = found;
    const [csv, votes, promotions] = await Promise.all([
      queries.versionsCsv(build.repoDir),
      queries.votesOn(build),
      queries.promotionsOf(build),
    ]);
    return {
      build,
      pointers,
      contents: csv === null ? null : parseVersionsCsv(csv),
      votes,
      promotions,
    };
  }
}
