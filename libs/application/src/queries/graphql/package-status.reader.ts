import {
  buildsProjection,
  countedBuildsWithStatus,
  NEWEST_RESULT_FIRST,
  packageStatusProjection,
  queueProjection,
  type PackageStatusDoc,
} from '#domain/projections/index.js';
import type { DlrnGraphqlReader } from './dlrn-graphql.reader.js';

/** One `packageStatus` item. */
export interface PackageStatusItem {
  /** Index of the package in the package list (DLRN counts the packages filtered out too). */
  readonly id: number;
  readonly projectName: string;
  readonly status: 'SUCCESS' | 'FAILED' | 'RETRY' | 'NO_BUILD';
  /** dt_build of the last success (epoch s), 0 when it never succeeded; null for SUCCESS and NO_BUILD. */
  readonly lastSuccess: number | null;
  readonly firstFailureCommit: string | null;
}

/**
 * `packageStatus(projectName, status)`, DLRN's rules over the package_status projection:
 * NO_BUILD without a counted build; SUCCESS when the last build (any status, by result order)
 * succeeded; otherwise its status with the last success's time and the first failure's commit.
 * Two of DLRN's quirks are fixed (docs/dlrn-compatibility.md): a RETRY last build is reported
 * RETRY (DLRN says FAILED but filters it as RETRY), and `firstFailureCommit` is the first
 * failure after the last success (DLRN gives the last build's hash).
 */
export async function packageStatuses(
  reader: DlrnGraphqlReader,
  filters: { readonly projectName: string | null; readonly status: string | null },
): Promise<PackageStatusItem[]> {
  const docs = new Map<string, PackageStatusDoc | null>();
  if (filters.projectName) {
    docs.set(filters.projectName, await reader.get(packageStatusProjection, filters.projectName));
  } else {
    for (const name of await packageList(reader)) docs.set(name, null);
    const known = await reader.find(packageStatusProjection, { orderBy: [{ column: 'package', direction: 'asc' }] });
    for (const doc of known) docs.set(doc.package, doc);
  }
  const names = [...docs.keys()].sort();
  const items: PackageStatusItem[] = [];
  for (const [index, name] of names.entries()) {
    const item = await statusOf(reader, index, name, docs.get(name) ?? null);
    if (!filters.status || filters.status === item.status) items.push(item);
  }
  return items;
}

/**
 * DLRN lists the packages of its package-metadata driver; the API has no driver, so the list is
 * every package the projections know: with a build (package_status) or waiting for one (queue).
 */
async function packageList(reader: DlrnGraphqlReader): Promise<string[]> {
  const waiting = await reader.find(queueProjection, {});
  return [...new Set(waiting.map((q) => q.package))];
}

async function statusOf(
  reader: DlrnGraphqlReader,
  id: number,
  projectName: string,
  doc: PackageStatusDoc | null,
): Promise<PackageStatusItem> {
  const last = doc?.lastBuild ?? null;
  if (doc === null || last === null || doc.status === null) {
    return { id, projectName, status: 'NO_BUILD', lastSuccess: null, firstFailureCommit: null };
  }
  if (last.status === 'SUCCESS')
    return { id, projectName, status: 'SUCCESS', lastSuccess: null, firstFailureCommit: null };
  const success = doc.lastSuccess ?? (doc.truncated ? await lastSuccessOf(reader, projectName) : null);
  return {
    id,
    projectName,
    status: last.status,
    lastSuccess: success === null ? 0 : success.dtBuild,
    firstFailureCommit: doc.firstFailure?.commitHash ?? last.commitHash,
  };
}

/** The newest counted SUCCESS when the projection's window no longer holds it. */
async function lastSuccessOf(reader: DlrnGraphqlReader, name: string): Promise<{ dtBuild: number | null } | null> {
  const [found] = await reader.find(buildsProjection, {
    // A bisection step's success is never the package's (countedBuildsWithStatus: commit builds only).
    ...countedBuildsWithStatus('SUCCESS', { where: { package: name } }),
    orderBy: NEWEST_RESULT_FIRST,
    limit: 1,
  });
  return found ?? null;
}
