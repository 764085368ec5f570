import type { BuildStatus } from '../build/build.state.js';
import type { BuildColumn, BuildDoc } from './builds.projection.js';
import type { PackageBuild, PackageStatusDoc } from './package-status.projection.js';
import type { ColumnFilter, ColumnOrder, DocumentFilters, DocumentQuery } from './projection.js';

/*
 * DLRN's read rules, written once beside the projections they read. The DLRN endpoints, the
 * JSON resources, the pages and GraphQL all ask through these, so "which builds DLRN counts"
 * cannot drift between them.
 */

/** DLRN's id order for `commits` rows: the position of the result event. */
export const NEWEST_RESULT_FIRST: readonly ColumnOrder<BuildColumn>[] = [
  { column: 'completed_position', direction: 'desc' },
];

/**
 * DLRN's counted builds, its `commits` rows: finished (a result position) and not rechecked
 * (DLRN deletes a rechecked row; we keep it for the record). `filters` narrow them; a
 * `completed_position` range of the caller (a cursor) replaces the "finished" bound, and must
 * itself exclude unfinished builds.
 */
export function countedBuilds(filters: DocumentFilters<BuildColumn> = {}): DocumentFilters<BuildColumn> {
  return {
    ...filters,
    where: { ...filters.where, rechecked: 0 },
    range: { completed_position: { gte: 0 }, ...filters.range },
  };
}

/**
 * Counted builds of one status, as DLRN's API answers count them: commit builds only, never
 * bisection steps (they are in the timeline, `countedBuilds`, but never are a package's last
 * processed build, the build a vote or a promotion of its hashes names, nor a build the metrics
 * count). The status alone says the build finished (a result sets both), so no position bound
 * is added: these lookups are answered from the hash or package indexes.
 */
export function countedBuildsWithStatus(
  status: BuildStatus,
  filters: DocumentFilters<BuildColumn> = {},
): DocumentFilters<BuildColumn> {
  return { ...filters, where: { ...filters.where, status, rechecked: 0, purpose: COMMIT_BUILD } };
}

/** The `purpose` column of the builds DLRN itself would have made (not bisection steps). */
export const COMMIT_BUILD = 'commit';

/** The columns every table about one repository has. */
export type HashColumn = 'commit_hash' | 'distro_hash' | 'extended_hash';

export interface BuildHashes {
  readonly commitHash: string;
  readonly distroHash: string;
  readonly extendedHash: string | null;
}

/** The columns naming one repository's hashes (exactly: a null extended hash matches NULL). */
export function hashesOf(build: BuildHashes): Required<ColumnFilter<HashColumn>> {
  return { commit_hash: build.commitHash, distro_hash: build.distroHash, extended_hash: build.extendedHash };
}

/**
 * DLRN's `_get_commit`: the newest counted SUCCESS of these hashes, the build that votes and
 * promotions of the hashes name. `extended` `'any'`: DLRN's API lookups given no extended hash
 * match every one; `'exact'`: a null extended hash matches NULL only.
 */
export function successfulBuildOf(hashes: BuildHashes, extended: 'exact' | 'any'): DocumentQuery<BuildColumn> {
  const where: ColumnFilter<BuildColumn> = { commit_hash: hashes.commitHash, distro_hash: hashes.distroHash };
  if (extended === 'exact') where.extended_hash = hashes.extendedHash;
  return { ...countedBuildsWithStatus('SUCCESS', { where }), orderBy: NEWEST_RESULT_FIRST, limit: 1 };
}

/** DLRN's `getLastProcessedCommit` reads rpm builds only, newest result first, RETRY aside. */
export function lastProcessedCandidates(packageName: string): readonly DocumentQuery<BuildColumn>[] {
  return (['SUCCESS', 'FAILED'] as const).map((status) => ({
    ...countedBuildsWithStatus(status, { where: { package: packageName, type: 'rpm' } }),
    orderBy: NEWEST_RESULT_FIRST,
    limit: 1,
  }));
}

/**
 * DLRN's `getLastProcessedCommit`: the newest counted build that is not RETRY, from the newest
 * candidate of each status (`lastProcessedCandidates`).
 */
export function lastProcessed(candidates: readonly (BuildDoc | null)[]): BuildDoc | null {
  let newest: BuildDoc | null = null;
  for (const build of candidates) {
    if (build !== null && (newest === null || (build.completedPosition ?? 0) > (newest.completedPosition ?? 0))) {
      newest = build;
    }
  }
  return newest;
}

/** A result DLRN counts as processed: every status but RETRY (to be retried). */
export const isProcessed = (status: BuildStatus): boolean => status !== 'RETRY';

/**
 * The first failure after the last success, as DLRN's status report shows it: only while the
 * package's last build failed (the projection keeps it through a RETRY too).
 */
export function shownFirstFailure(doc: PackageStatusDoc): PackageBuild | null {
  return doc.status === 'FAILED' ? doc.firstFailure : null;
}
