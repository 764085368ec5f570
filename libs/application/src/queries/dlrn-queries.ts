import {
  ALL_TIME,
  buildMetricsProjection,
  buildsProjection,
  ciVotesAggProjection,
  ciVotesProjection,
  componentsProjection,
  countedBuildsWithStatus,
  lastProcessed,
  lastProcessedCandidates,
  promotionsProjection,
  aggregateReposProjection,
  successfulBuildOf,
  hashesOf,
  type BuildColumn,
  type BuildDoc,
  type BuildMetricsDoc,
  type CiVoteAggDoc,
  type CiVoteDoc,
  type CiVoteAggColumn,
  type CiVoteColumn,
  type ColumnFilter,
  type DocumentQuery,
  type PromotionColumn,
  type PromotionDoc,
  type ReadModelReader,
} from '#domain/projections/index.js';
import { CONSISTENT_JOB_ID } from '#domain/ci-vote/ci-vote.events.js';

export interface VoteFilters {
  /** Votes strictly newer than this epoch second. */
  readonly after: number;
  readonly success: boolean | null;
  readonly jobId: string | null;
  readonly component: string | null;
}

export interface PromotionFilters {
  readonly commit: BuildDoc | null;
  readonly aggregateHash: string | null;
  readonly promoteName: string | null;
  readonly component: string | null;
  readonly offset: number | null;
  readonly limit: number | null;
}

const PAGE = 200;

/** What DLRN's API reads, from the projections. */
export class DlrnQueries {
  constructor(private readonly store: ReadModelReader) {}

  /** The same reads as of a log position (time travel); null: now. */
  at(position: number | null): DlrnQueries {
    return position === null ? this : new DlrnQueries(this.store.asOf(position));
  }

  /**
   * DLRN's `_get_commit`: the newest SUCCESS build of these hashes that still counts (not
   * rechecked). `extendedHash` null means "any".
   */
  async successfulCommit(
    commitHash: string,
    distroHash: string,
    extendedHash: string | null,
  ): Promise<BuildDoc | null> {
    const query = successfulBuildOf({ commitHash, distroHash, extendedHash }, extendedHash === null ? 'any' : 'exact');
    const [found] = await this.store.find(buildsProjection, query);
    return found?.doc ?? null;
  }

  /** DLRN's `getLastProcessedCommit`: the newest counted rpm build that is not RETRY. */
  async lastProcessedCommit(packageName: string): Promise<BuildDoc | null> {
    const candidates = await Promise.all(
      lastProcessedCandidates(packageName).map(async (query) => (await this.store.find(buildsProjection, query))[0]),
    );
    return lastProcessed(candidates.map((found) => found?.doc ?? null));
  }

  /** Whether any commit was ever recorded (DLRN's health answer). */
  async anyBuild(): Promise<boolean> {
    return (await this.store.find(buildsProjection, { limit: 1 })).length > 0;
  }

  /**
   * The newest vote (highest timestamp, then newest recorded) matching the filters; with
   * `consistent` "exclude" or "only" DLRN's own votes.
   */
  async newestVote(filters: VoteFilters, consistent: 'exclude' | 'only' | 'any'): Promise<CiVoteDoc | null> {
    const where: ColumnFilter<CiVoteColumn> = {};
    if (filters.success !== null) where.ci_vote = filters.success ? 1 : 0;
    if (filters.jobId !== null) where.ci_name = filters.jobId;
    if (consistent === 'only') where.ci_name = CONSISTENT_JOB_ID;
    if (filters.component !== null) where.component = filters.component;
    const query: DocumentQuery<CiVoteColumn> = {
      where,
      range: { timestamp: { gt: filters.after } },
      orderBy: [
        { column: 'timestamp', direction: 'desc' },
        { column: 'id', direction: 'desc' },
      ],
      limit: PAGE,
    };
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.store.find(ciVotesProjection, { ...query, offset });
      const hit = page.find((v) => consistent !== 'exclude' || v.doc.ciName !== CONSISTENT_JOB_ID);
      if (hit) return hit.doc;
      if (page.length < PAGE) return null;
    }
  }

  /** Votes on one commit, in recording order (DLRN's database order). */
  async votesOn(commit: BuildDoc, success: boolean | null): Promise<CiVoteDoc[]> {
    const where: ColumnFilter<CiVoteColumn> = hashesOf(commit);
    if (success !== null) where.ci_vote = success ? 1 : 0;
    const rows = await this.store.find(ciVotesProjection, {
      where,
      orderBy: [{ column: 'id', direction: 'asc' }],
    });
    return rows.map((r) => r.doc);
  }

  async aggregateVotes(aggregateHash: string, success: boolean | null): Promise<CiVoteAggDoc[]> {
    const where: ColumnFilter<CiVoteAggColumn> = { ref_hash: aggregateHash };
    if (success !== null) where.ci_vote = success ? 1 : 0;
    const rows = await this.store.find(ciVotesAggProjection, {
      where,
      orderBy: [{ column: 'id', direction: 'asc' }],
    });
    return rows.map((r) => r.doc);
  }

  /**
   * An aggregate hash a promotion carries (DLRN's only check), or one published here for
   * `current`, `consistent` or a promotion name (components on): CI reads it from
   * `<name>/<reponame>.repo.md5` and votes on it.
   */
  async aggregateHashKnown(aggregateHash: string): Promise<boolean> {
    if ((await this.store.get(aggregateReposProjection, aggregateHash)) !== null) return true;
    return (await this.store.count(promotionsProjection, { where: { aggregate_hash: aggregateHash } })) > 0;
  }

  /** Promotions, newest first. */
  async promotions(filters: PromotionFilters): Promise<PromotionDoc[]> {
    if (filters.limit === 0) return [];
    const where: ColumnFilter<PromotionColumn> = filters.commit === null ? {} : hashesOf(filters.commit);
    if (filters.aggregateHash !== null) where.aggregate_hash = filters.aggregateHash;
    if (filters.promoteName !== null) where.promotion_name = filters.promoteName;
    if (filters.component !== null) where.component = filters.component;
    const rows = await this.store.find(promotionsProjection, {
      where,
      orderBy: [{ column: 'id', direction: 'desc' }],
      ...(filters.limit !== null ? { limit: filters.limit } : {}),
      ...(filters.offset !== null ? { offset: filters.offset } : {}),
    });
    return rows.map((r) => r.doc);
  }

  /** DLRN's `getComponents`: components found in promotions, sorted. */
  async promotedComponents(): Promise<string[]> {
    const rows = await this.store.find(componentsProjection, {
      where: { in_promotions: 1 },
      orderBy: [{ column: 'name', direction: 'asc' }],
    });
    return rows.map((r) => r.doc.name);
  }

  /** `/api/metrics/builds`: successes in [start, end), failures in [start, end] (DLRN's bounds). */
  async buildCounts(
    start: number,
    end: number,
    packageName: string | null,
  ): Promise<{ succeeded: number; failed: number }> {
    const where: ColumnFilter<BuildColumn> = packageName === null ? {} : { package: packageName };
    const [succeeded, failed] = await Promise.all([
      this.store.count(
        buildsProjection,
        countedBuildsWithStatus('SUCCESS', { where, range: { dt_build: { gte: start, lt: end } } }),
      ),
      this.store.count(
        buildsProjection,
        countedBuildsWithStatus('FAILED', { where, range: { dt_build: { gte: start, lte: end } } }),
      ),
    ]);
    return { succeeded, failed };
  }

  /** All-time counts by status (`/metrics`). */
  async buildTotals(): Promise<BuildMetricsDoc> {
    const found = await this.store.get(buildMetricsProjection, ALL_TIME);
    return found?.doc ?? { scope: ALL_TIME, success: 0, failed: 0, retry: 0, lastPosition: 0 };
  }
}
