import { CONSISTENT_JOB_ID } from '#domain/ci-vote/ci-vote.events.js';
import {
  buildsProjection,
  ciVotesAggProjection,
  ciVotesProjection,
  countedBuilds,
  NEWEST_RESULT_FIRST,
  packageStatusProjection,
  queueProjection,
  shownFirstFailure,
  type BuildColumn,
  type BuildDoc,
  type CiVoteAggColumn,
  type CiVoteAggDoc,
  type CiVoteColumn,
  type CiVoteDoc,
  type ColumnFilter,
  type ColumnOrder,
  type PackageStatusDoc,
  type QueueDoc,
  type ReadModelReader,
} from '#domain/projections/index.js';
import { REPORT_PAGE_SIZE, type BuildReportFilters, type BuildReportPage } from '#reports/build-report.renderer.js';
import {
  VOTES_PAGE_SIZE,
  type AggVoteDetailFilters,
  type VoteDetailFilters,
  type VotePage,
} from '#reports/civotes.renderer.js';
import { reportedPackages, type StatusRow } from '#reports/status-report.renderer.js';

/** Builds of the static report.html (DLRN: the last 300, RETRY excluded). */
export const STATIC_REPORT_BUILDS = 300;

const VOTES_NEWEST_FIRST: readonly ColumnOrder<CiVoteColumn & CiVoteAggColumn>[] = [
  { column: 'timestamp', direction: 'desc' },
  { column: 'id', direction: 'desc' },
];
const SCAN_CHUNK = 1000;

const docs = <Doc>(rows: readonly { readonly doc: Doc }[]): Doc[] => rows.map((r) => r.doc);

/** What the dashboard pages read from the projections; shared by the API and the static copies. */
export class DashboardQueries {
  constructor(private readonly store: ReadModelReader) {}

  /** The same reads as of a log position (time travel); null: now. */
  at(position: number | null): DashboardQueries {
    return position === null ? this : new DashboardQueries(this.store.asOf(position));
  }

  /** Packages with a finished build, by name. */
  async packageStatuses(): Promise<PackageStatusDoc[]> {
    const rows = await this.store.find(packageStatusProjection, { orderBy: [{ column: 'package', direction: 'asc' }] });
    return reportedPackages(docs(rows));
  }

  /** The status report's rows, with the upstream of each first failure for its commit link. */
  async statusRows(): Promise<StatusRow[]> {
    const packages = await this.packageStatuses();
    return Promise.all(
      packages.map(async (doc) => {
        const failure = shownFirstFailure(doc);
        const build = failure === null ? null : await this.store.get(buildsProjection, failure.buildId);
        return { doc, firstFailureUpstream: build?.doc.upstreamUrl ?? null };
      }),
    );
  }

  /** The live report.html: counted builds matching the filters, newest first, 100 per page. */
  async buildReport(filters: BuildReportFilters): Promise<BuildReportPage> {
    const where: ColumnFilter<BuildColumn> = {};
    if (filters.package !== null) where.package = filters.package;
    if (filters.component !== null) where.component = filters.component;
    if (filters.success !== null) where.status = filters.success === '1' ? 'SUCCESS' : 'FAILED';
    const query = countedBuilds({ where });
    const [rows, total] = await Promise.all([
      this.store.find(buildsProjection, {
        ...query,
        orderBy: NEWEST_RESULT_FIRST,
        limit: REPORT_PAGE_SIZE,
        offset: filters.offset,
      }),
      this.store.count(buildsProjection, query),
    ]);
    return { builds: docs(rows), filters, total };
  }

  /** The static report.html: the last 300 counted builds, RETRY excluded, newest first. */
  async lastBuilds(limit = STATIC_REPORT_BUILDS): Promise<BuildDoc[]> {
    const byStatus = (status: string) =>
      this.store.find(buildsProjection, {
        ...countedBuilds({ where: { status } }),
        orderBy: NEWEST_RESULT_FIRST,
        limit,
      });
    const [succeeded, failed] = await Promise.all([byStatus('SUCCESS'), byStatus('FAILED')]);
    return [...docs(succeeded), ...docs(failed)]
      .sort((a, b) => (b.completedPosition ?? 0) - (a.completedPosition ?? 0))
      .slice(0, limit);
  }

  async build(buildId: string): Promise<BuildDoc | null> {
    return (await this.store.get(buildsProjection, buildId))?.doc ?? null;
  }

  /** Pending commits, oldest commit first. */
  async queue(): Promise<QueueDoc[]> {
    return docs(await this.store.find(queueProjection, { orderBy: [{ column: 'dt_commit', direction: 'asc' }] }));
  }

  /**
   * civotes.html: the newest votes but DLRN's own `consistent` ones. The store has no "not equal"
   * filter, so the newest votes are scanned in chunks and `consistent` ones skipped.
   */
  async ciVotes(offset: number): Promise<VotePage<CiVoteDoc>> {
    const wanted = VOTES_PAGE_SIZE + 1;
    const votes: CiVoteDoc[] = [];
    let skipped = 0;
    for (let from = 0; votes.length < wanted; from += SCAN_CHUNK) {
      const chunk = docs(
        await this.store.find(ciVotesProjection, { orderBy: VOTES_NEWEST_FIRST, offset: from, limit: SCAN_CHUNK }),
      );
      for (const vote of chunk) {
        if (vote.ciName === CONSISTENT_JOB_ID) continue;
        if (skipped < offset) skipped++;
        else if (votes.length < wanted) votes.push(vote);
      }
      if (chunk.length < SCAN_CHUNK) break;
    }
    return page(votes, offset);
  }

  /** civotes_detail.html: votes matching the filters (all CI names), newest id first. */
  async ciVotesDetail(filters: VoteDetailFilters, offset: number): Promise<VotePage<CiVoteDoc>> {
    const where: ColumnFilter<CiVoteColumn> = {};
    if (filters.commitHash && filters.distroHash) {
      where.commit_hash = filters.commitHash;
      where.distro_hash = filters.distroHash;
    }
    if (filters.component) where.component = filters.component;
    if (filters.ciName) where.ci_name = filters.ciName;
    if (filters.success !== null) where.ci_vote = filters.success === 'True' ? 1 : 0;
    const rows = await this.store.find(ciVotesProjection, {
      where,
      orderBy: [{ column: 'id', direction: 'desc' }],
      offset,
      limit: VOTES_PAGE_SIZE + 1,
    });
    return page(docs(rows), offset);
  }

  /** civotes_agg.html: the newest aggregate votes. */
  async ciVotesAgg(offset: number): Promise<VotePage<CiVoteAggDoc>> {
    const rows = await this.store.find(ciVotesAggProjection, {
      orderBy: VOTES_NEWEST_FIRST,
      offset,
      limit: VOTES_PAGE_SIZE + 1,
    });
    return page(docs(rows), offset);
  }

  async ciVotesAggDetail(filters: AggVoteDetailFilters, offset: number): Promise<VotePage<CiVoteAggDoc>> {
    const where: ColumnFilter<CiVoteAggColumn> = {};
    if (filters.refHash) where.ref_hash = filters.refHash;
    if (filters.ciName) where.ci_name = filters.ciName;
    if (filters.success !== null) where.ci_vote = filters.success === 'True' ? 1 : 0;
    const rows = await this.store.find(ciVotesAggProjection, {
      where,
      orderBy: [{ column: 'id', direction: 'desc' }],
      offset,
      limit: VOTES_PAGE_SIZE + 1,
    });
    return page(docs(rows), offset);
  }
}

/** One page from `limit + 1` rows: the extra row only says that another page exists. */
function page<Vote>(votes: readonly Vote[], offset: number): VotePage<Vote> {
  return { votes: votes.slice(0, VOTES_PAGE_SIZE), offset, hasMore: votes.length > VOTES_PAGE_SIZE };
}
