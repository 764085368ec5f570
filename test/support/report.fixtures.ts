import { EventLog, project } from './projection-spec.js';
import {
  buildsProjection,
  ciVotesProjection,
  packageStatusProjection,
  type BuildDoc,
  type CiVoteDoc,
  type PackageStatusDoc,
} from '#domain/projections/index.js';
import type { ReportSettings } from '#reports/report-format.js';
import type { StatusRow } from '#reports/status-report.renderer.js';

/** Test support for the renderer specs: read models folded from events, as the projector would. */
export const SETTINGS: ReportSettings = {
  projectName: 'RDO',
  reponame: 'delorean',
  target: 'centos9',
  source: 'master',
  baseurl: 'https://trunk.example.org/centos9-master',
  downstream: false,
};

export function statusDocs(log: EventLog): PackageStatusDoc[] {
  return [...project(packageStatusProjection, log.events).values()];
}

export function buildDocs(log: EventLog): BuildDoc[] {
  return [...project(buildsProjection, log.events).values()];
}

export function voteDocs(log: EventLog): CiVoteDoc[] {
  return [...project(ciVotesProjection, log.events).values()];
}

/** Status rows as DashboardQueries makes them: the first failure's upstream from its build. */
export function statusRows(log: EventLog): StatusRow[] {
  const builds = project(buildsProjection, log.events);
  return statusDocs(log)
    .filter((d) => d.lastBuild !== null)
    .sort((a, b) => a.package.localeCompare(b.package))
    .map((doc) => ({
      doc,
      firstFailureUpstream: doc.firstFailure ? (builds.get(doc.firstFailure.buildId)?.upstreamUrl ?? null) : null,
    }));
}

/** A successful build with the given artifacts (the EventLog's default has one). */
export function succeeded(
  log: EventLog,
  pkg: string,
  commitHash: string,
  options: { dtBuild: number; artifacts: readonly string[]; component?: string | null; extendedHash?: string | null },
): string {
  const streamId = log.discover(pkg, commitHash, options);
  const buildId = log.claim(streamId);
  log.start(streamId, buildId, options.dtBuild);
  const repoDir = `${commitHash.slice(0, 2)}/${commitHash.slice(2, 4)}/${commitHash}_d1`;
  const nvr = options.artifacts
    .find((a) => a.endsWith('.src.rpm'))
    ?.replace(/^.*\//, '')
    .replace(/\.src\.rpm$/, '');
  log.append(streamId, 'BuildSucceeded', {
    buildId,
    artifacts: options.artifacts,
    nvr: nvr ?? null,
    repoDir,
    notes: 'OK',
  });
  return buildId;
}

/** A failed build whose notes are given. */
export function failed(
  log: EventLog,
  pkg: string,
  commitHash: string,
  dtBuild: number,
  notes = 'rpmbuild failed',
): string {
  const streamId = log.discover(pkg, commitHash);
  const buildId = log.claim(streamId);
  log.start(streamId, buildId, dtBuild);
  log.append(streamId, 'BuildFailed', {
    buildId,
    repoDir: `${commitHash.slice(0, 2)}/${commitHash.slice(2, 4)}/${commitHash}_d1`,
    notes,
  });
  return buildId;
}
