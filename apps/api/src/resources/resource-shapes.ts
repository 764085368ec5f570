import {
  shownFirstFailure,
  type BuildDoc,
  type PackageBisection,
  type PackageBuild,
  type PackageStatusDoc,
} from '#domain/projections/index.js';
import { repoHash } from '#domain/repo/repo-path.js';
import { commitUrlPrefix } from '#reports/index.js';

/** The JSON shapes of our own resources (`/api/packages`, `/api/builds`…), documented in OpenAPI. */

export interface Links {
  readonly baseurl: string;
}

const joinUrl = (base: string, path: string): string => `${base.replace(/\/+$/, '')}/${path}`;

export interface BuildSummary {
  build_id: string;
  status: string;
  commit_hash: string;
  distro_hash: string;
  extended_hash: string | null;
  component: string | null;
  dt_build: number | null;
  nvr: string | null;
  repo_hash: string;
  repo_url: string | null;
  log_url: string | null;
  links: { self: string };
}

export function buildSummary(build: PackageBuild, links: Links): BuildSummary {
  return {
    build_id: build.buildId,
    status: build.status,
    commit_hash: build.commitHash,
    distro_hash: build.distroHash,
    extended_hash: build.extendedHash,
    component: build.component,
    dt_build: build.dtBuild,
    nvr: build.nvr,
    repo_hash: repoHash(build),
    repo_url: links.baseurl ? joinUrl(links.baseurl, build.repoDir) : null,
    log_url: links.baseurl ? joinUrl(links.baseurl, `${build.repoDir}/rpmbuild.log`) : null,
    links: { self: `/api/builds/${build.buildId}` },
  };
}

export interface PackageResource {
  name: string;
  status: 'SUCCESS' | 'FAILED' | 'RETRY' | 'NO_BUILD';
  component: string | null;
  nvr: string | null;
  last_build: BuildSummary | null;
  last_success: BuildSummary | null;
  first_failure_after_success: BuildSummary | null;
  failures_since_success: number;
  days_since_last_success: number | null;
  skipped: { reason: string; at: string } | null;
  bisection: BisectionSummary | null;
  links: { self: string; builds: string; badge: string };
}

/** The package's latest bisection (issue 20): running, its culprit, or why there is none. */
export interface BisectionSummary {
  bisection_id: string;
  state: 'running' | 'culprit' | 'inconclusive';
  good_commit_hash: string;
  bad_commit_hash: string;
  candidates: number;
  steps: number;
  started_at: string;
  culprit: {
    commit_hash: string;
    distro_hash: string;
    last_good_commit_hash: string;
    identified_at: string;
    links: { build: string | null };
  } | null;
  reason: string | null;
  detail: string | null;
}

export function bisectionSummary(bisection: PackageBisection): BisectionSummary {
  const { culprit } = bisection;
  return {
    bisection_id: bisection.bisectionId,
    state: bisection.state,
    good_commit_hash: bisection.goodCommitHash,
    bad_commit_hash: bisection.badCommitHash,
    candidates: bisection.candidates,
    steps: bisection.steps,
    started_at: bisection.startedAt,
    culprit: culprit
      ? {
          commit_hash: culprit.commitHash,
          distro_hash: culprit.distroHash,
          last_good_commit_hash: culprit.lastGoodCommitHash,
          identified_at: culprit.identifiedAt,
          links: { build: culprit.buildId ? `/api/builds/${encodeURIComponent(culprit.buildId)}` : null },
        }
      : null,
    reason: bisection.reason,
    detail: bisection.detail,
  };
}

/**
 * DLRN's status-report row as JSON: the first failure after the last success is shown while the
 * last build failed (DLRN's rule: the oldest failure built after the last success, or the oldest
 * failure of a package that never succeeded).
 */
export function packageResource(doc: PackageStatusDoc, links: Links, now: number): PackageResource {
  const name = encodeURIComponent(doc.package);
  const firstFailure = shownFirstFailure(doc);
  return {
    name: doc.package,
    status: doc.status ?? 'NO_BUILD',
    component: doc.component,
    nvr: doc.lastBuild?.nvr ?? null,
    last_build: doc.lastBuild ? buildSummary(doc.lastBuild, links) : null,
    last_success: doc.lastSuccess ? buildSummary(doc.lastSuccess, links) : null,
    first_failure_after_success: firstFailure ? buildSummary(firstFailure, links) : null,
    failures_since_success: doc.failuresSinceSuccess,
    days_since_last_success:
      doc.lastSuccess?.dtBuild != null ? Math.max(0, Math.floor((now - doc.lastSuccess.dtBuild) / 86_400)) : null,
    skipped: doc.skipped ? { reason: doc.skipped.reason, at: doc.skipped.occurredAt } : null,
    bisection: doc.bisection ? bisectionSummary(doc.bisection) : null,
    links: {
      self: `/api/packages/${name}`,
      builds: `/api/packages/${name}/builds`,
      badge: `/api/status/badge/${name}.svg`,
    },
  };
}

export interface BuildResource {
  /** DLRN's commit id: the position of the build's result in the event log. */
  id: number | null;
  build_id: string;
  package: string;
  status: string | null;
  commit_hash: string;
  distro_hash: string;
  extended_hash: string | null;
  commit_branch: string;
  component: string | null;
  dt_commit: number;
  dt_distro: number;
  dt_build: number | null;
  nvr: string | null;
  artifacts: readonly string[];
  notes: string | null;
  purged: boolean;
  rechecked: boolean;
  abandoned: boolean;
  builder_id: string;
  attempt: number;
  /** Why it was built: a commit build, or a step of a bisection (issue 20), shown in the timeline. */
  purpose: BuildPurposeResource;
  repo_hash: string;
  repo_url: string | null;
  log_url: string | null;
  commit_url: string | null;
  links: { self: string; package: string; repo: string; events: string; page: string };
}

export type BuildPurposeResource = { kind: 'commit' } | { kind: 'bisection'; bisection_id: string; step: number };

function purposeResource(purpose: BuildDoc['purpose']): BuildPurposeResource {
  return purpose.kind === 'bisection'
    ? { kind: 'bisection', bisection_id: purpose.bisectionId, step: purpose.step }
    : { kind: 'commit' };
}

export function buildResource(doc: BuildDoc, links: Links): BuildResource {
  const prefix = commitUrlPrefix(doc.upstreamUrl);
  return {
    id: doc.completedPosition,
    build_id: doc.buildId,
    package: doc.package,
    status: doc.status,
    commit_hash: doc.commitHash,
    distro_hash: doc.distroHash,
    extended_hash: doc.extendedHash,
    commit_branch: doc.commitBranch,
    component: doc.component,
    dt_commit: doc.dtCommit,
    dt_distro: doc.dtDistro,
    dt_build: doc.dtBuild,
    nvr: doc.nvr,
    artifacts: doc.artifacts,
    notes: doc.notes,
    purged: (doc.flags & 0x2) !== 0,
    rechecked: doc.rechecked,
    abandoned: doc.abandoned,
    builder_id: doc.builderId,
    attempt: doc.attempt,
    purpose: purposeResource(doc.purpose),
    repo_hash: repoHash(doc),
    repo_url: links.baseurl && doc.repoDir ? joinUrl(links.baseurl, doc.repoDir) : null,
    log_url: links.baseurl && doc.repoDir ? joinUrl(links.baseurl, `${doc.repoDir}/rpmbuild.log`) : null,
    commit_url: prefix ? `${prefix}${doc.commitHash}` : null,
    links: {
      self: `/api/builds/${doc.buildId}`,
      package: `/api/packages/${encodeURIComponent(doc.package)}`,
      repo: `/api/repos/${repoHash(doc)}`,
      events: `/api/builds/${doc.buildId}/events`,
      page: `/api/build/${doc.buildId}.html`,
    },
  };
}
