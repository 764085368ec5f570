import {
  buildsProjection,
  ciVotesAggProjection,
  ciVotesProjection,
  countedBuilds,
  hashesOf,
  NEWEST_RESULT_FIRST,
  successfulBuildOf,
  type BuildColumn,
  type BuildDoc,
  type CiVoteAggColumn,
  type CiVoteAggDoc,
  type CiVoteColumn,
  type CiVoteDoc,
  type ColumnFilter,
  type ColumnOrder,
  type DocumentQuery,
  type ProjectionDefinition,
  type ReadModelStore,
} from '#domain/projections/index.js';
import type { DomainEvent } from '#domain/shared/event.js';
import { GraphqlQueryError, ReadBudget } from './graphql.errors.js';
import { likePattern } from './like-pattern.js';

/** DLRN's `pagination_limit` and `max_limit`. */
export const PAGE_LIMIT = 100;

/** `where: {timestamp: {…}}` of `civote` and `civoteAgg`. */
export interface TimestampFilter {
  readonly gt?: number | null;
  readonly gte?: number | null;
  readonly lt?: number | null;
  readonly lte?: number | null;
  readonly eq?: number | null;
}

export interface Page {
  readonly offset: number;
  readonly limit: number;
}

export interface CommitFilters extends Page {
  readonly projectName: string | null;
  readonly component: string | null;
  readonly status: string | null;
  readonly commitHash: string | null;
  readonly distroHash: string | null;
  /** An SQL LIKE pattern. */
  readonly extendedHash: string | null;
}

interface VerdictFilters extends Page {
  readonly ciName: string | null;
  readonly ciVote: boolean | null;
  readonly ciInProgress: boolean | null;
  readonly timestamp: number | null;
  readonly user: string | null;
  readonly where: TimestampFilter | null;
}

export interface VoteFilters extends VerdictFilters {
  readonly commitId: number | null;
  readonly component: string | null;
}

export interface AggVoteFilters extends VerdictFilters {
  readonly refHash: string | null;
  readonly lastRefHash: boolean;
}

/** The filters both vote tables share. */
type VerdictWhere = ColumnFilter<CiVoteColumn & CiVoteAggColumn>;
/** What GraphQL reads of the store. */
export type GraphqlReads = Pick<ReadModelStore, 'find' | 'get'>;
/** A projection this reader pages through, with its columns. */
type Readable<Doc, Column extends string> = ProjectionDefinition<Doc, DomainEvent, Column>;

const ID_DESC: readonly ColumnOrder<'id'>[] = [{ column: 'id', direction: 'desc' }];
const SCAN_CHUNK = 500;

const hashKey = (c: string, d: string, e: string | null) => JSON.stringify([c, d, e]);

/**
 * What DLRN's GraphQL queries read, from the projections, for one request: lookups repeated by
 * nested fields are shared, and every store read is counted against the request's budget.
 */
export class DlrnGraphqlReader {
  private readonly successes = new Map<string, Promise<BuildDoc | null>>();
  private readonly commitsById = new Map<number, Promise<BuildDoc | null>>();

  constructor(
    private readonly store: GraphqlReads,
    private readonly budget = new ReadBudget(),
  ) {}

  /** `commits(...)`: counted builds, newest result first. */
  async commits(filters: CommitFilters): Promise<BuildDoc[]> {
    if (filters.limit === 0) return [];
    const where: ColumnFilter<BuildColumn> = {};
    if (filters.projectName) where.package = filters.projectName;
    if (filters.component) where.component = filters.component;
    if (filters.status) where.status = filters.status;
    if (filters.commitHash) where.commit_hash = filters.commitHash;
    if (filters.distroHash) where.distro_hash = filters.distroHash;
    const query: DocumentQuery<BuildColumn> = { ...countedBuilds({ where }), orderBy: NEWEST_RESULT_FIRST };
    if (!filters.extendedHash) return this.page(buildsProjection, query, filters);
    const pattern = likePattern(filters.extendedHash);
    if (pattern.exact)
      return this.page(
        buildsProjection,
        { ...query, where: { ...query.where, extended_hash: pattern.prefix } },
        filters,
      );
    const prefix = pattern.prefix === '' ? {} : { prefix: { extended_hash: pattern.prefix } };
    if (pattern.prefixOnly && pattern.prefix !== '')
      return this.page(buildsProjection, { ...query, ...prefix }, filters);
    return this.scan(buildsProjection, { ...query, ...prefix }, (doc) => pattern.matches(doc.extendedHash), filters);
  }

  /** The counted build whose DLRN id (result position) is `id`. */
  commitById(id: number): Promise<BuildDoc | null> {
    let found = this.commitsById.get(id);
    if (!found) {
      found = this.first(buildsProjection, { where: { ...countedBuilds().where, completed_position: id } });
      this.commitsById.set(id, found);
    }
    return found;
  }

  /**
   * The build a vote on these hashes belongs to: DLRN's `_get_commit`, the newest SUCCESS of
   * exactly these hashes (what the vote's `commit_id` names).
   */
  successfulCommit(commitHash: string, distroHash: string, extendedHash: string | null): Promise<BuildDoc | null> {
    const key = hashKey(commitHash, distroHash, extendedHash);
    let found = this.successes.get(key);
    if (!found) {
      found = this.first(buildsProjection, successfulBuildOf({ commitHash, distroHash, extendedHash }, 'exact'));
      this.successes.set(key, found);
    }
    return found;
  }

  /** `civote(...)`: votes and claims, newest first. */
  async votes(filters: VoteFilters): Promise<CiVoteDoc[]> {
    if (filters.limit === 0) return [];
    const verdict = this.verdictWhere(filters);
    if (verdict === null) return [];
    const where: ColumnFilter<CiVoteColumn> = { ...verdict };
    if (filters.component) where.component = filters.component;
    if (filters.commitId) {
      const commit = await this.commitById(filters.commitId);
      if (commit === null || !(await this.isVotedCommit(commit))) return [];
      Object.assign(where, hashesOf(commit));
    }
    return this.page(ciVotesProjection, { where, ...timestampRange(filters.where), orderBy: ID_DESC }, filters);
  }

  /** The votes on a commit, oldest first (DLRN's relationship order), or none if none name it. */
  async votesOn(commit: BuildDoc): Promise<CiVoteDoc[]> {
    if (!(await this.isVotedCommit(commit))) return [];
    this.budget.spend();
    const rows = await this.store.find(ciVotesProjection, {
      where: hashesOf(commit),
      orderBy: [{ column: 'id', direction: 'asc' }],
    });
    return rows.map((r) => r.doc);
  }

  /** `civoteAgg(...)`: votes on aggregate hashes, newest first. */
  async aggregateVotes(filters: AggVoteFilters): Promise<CiVoteAggDoc[]> {
    if (filters.lastRefHash && (filters.refHash || filters.timestamp || filters.where)) {
      throw new GraphqlQueryError('lastRefHash cannot be combined with refHash, timestamp or where');
    }
    if (filters.limit === 0) return [];
    const verdict = this.verdictWhere(filters);
    if (verdict === null) return [];
    const where: ColumnFilter<CiVoteAggColumn> = { ...verdict };
    if (filters.refHash) where.ref_hash = filters.refHash;
    if (filters.lastRefHash) {
      const last = await this.first(ciVotesAggProjection, { orderBy: ID_DESC });
      if (last === null) return [];
      where.ref_hash = last.refHash;
    }
    return this.page(ciVotesAggProjection, { where, ...timestampRange(filters.where), orderBy: ID_DESC }, filters);
  }

  voteById(id: number): Promise<CiVoteDoc | null> {
    return this.first(ciVotesProjection, { where: { id } });
  }

  aggregateVoteById(id: number): Promise<CiVoteAggDoc | null> {
    return this.first(ciVotesAggProjection, { where: { id } });
  }

  /** A read of the store, counted. */
  async find<Doc, Column extends string>(
    projection: Readable<Doc, Column>,
    query: DocumentQuery<NoInfer<Column>>,
  ): Promise<Doc[]> {
    this.budget.spend();
    return (await this.store.find(projection, query)).map((r) => r.doc);
  }

  async get<Doc>(projection: Readable<Doc, string>, key: string): Promise<Doc | null> {
    this.budget.spend();
    return (await this.store.get(projection, key))?.doc ?? null;
  }

  /** Whether votes on this build's hashes name it (they name the newest SUCCESS of the hashes). */
  private async isVotedCommit(commit: BuildDoc): Promise<boolean> {
    if (commit.status !== 'SUCCESS') return false;
    const voted = await this.successfulCommit(commit.commitHash, commit.distroHash, commit.extendedHash);
    return voted?.buildId === commit.buildId;
  }

  /** Filters both vote tables share; null when `timestamp` and `where.timestamp.eq` disagree. */
  private verdictWhere(filters: VerdictFilters): VerdictWhere | null {
    const where: VerdictWhere = {};
    if (filters.ciName) where.ci_name = filters.ciName;
    if (filters.ciVote !== null) where.ci_vote = filters.ciVote ? 1 : 0;
    if (filters.ciInProgress !== null) where.ci_in_progress = filters.ciInProgress ? 1 : 0;
    if (filters.user) where.user = filters.user;
    const eq = filters.where?.eq ?? null;
    if (filters.timestamp && eq !== null && filters.timestamp !== eq) return null;
    if (filters.timestamp) where.timestamp = filters.timestamp;
    if (eq !== null) where.timestamp = eq;
    return where;
  }

  private async first<Doc, Column extends string>(
    projection: Readable<Doc, Column>,
    query: DocumentQuery<NoInfer<Column>>,
  ): Promise<Doc | null> {
    const [found] = await this.find(projection, { ...query, limit: 1 });
    return found ?? null;
  }

  private page<Doc, Column extends string>(
    projection: Readable<Doc, Column>,
    query: DocumentQuery<NoInfer<Column>>,
    page: Page,
  ): Promise<Doc[]> {
    return this.find(projection, { ...query, limit: page.limit, offset: page.offset });
  }

  /**
   * Pages through `query` (newest result first) keeping the documents `keep` accepts, skipping
   * `page.offset` of them and stopping at `page.limit`: chunks follow `completed_position`
   * downwards, so a build finishing meanwhile neither shifts nor repeats a row.
   */
  private async scan(
    projection: Readable<BuildDoc, BuildColumn>,
    query: DocumentQuery<BuildColumn>,
    keep: (doc: BuildDoc) => boolean,
    page: Page,
  ): Promise<BuildDoc[]> {
    const kept: BuildDoc[] = [];
    if (page.limit <= 0) return kept;
    let skipped = 0;
    let below = Number.MAX_SAFE_INTEGER;
    for (;;) {
      const range = { ...query.range, completed_position: { gte: 0, lt: below } };
      const chunk = await this.find(projection, { ...query, range, limit: SCAN_CHUNK });
      for (const doc of chunk) {
        if (!keep(doc)) continue;
        if (skipped < page.offset) skipped += 1;
        else if (kept.push(doc) === page.limit) return kept;
      }
      const last = chunk.at(-1)?.completedPosition;
      if (chunk.length < SCAN_CHUNK || last === null || last === undefined) return kept;
      below = last;
    }
  }
}

function timestampRange(filter: TimestampFilter | null): Pick<DocumentQuery<'timestamp'>, 'range'> {
  if (filter === null) return {};
  const bounds: { gt?: number; gte?: number; lt?: number; lte?: number } = {};
  for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
    const value = filter[op];
    if (value !== null && value !== undefined) bounds[op] = value;
  }
  return Object.keys(bounds).length === 0 ? {} : { range: { timestamp: bounds } };
}
