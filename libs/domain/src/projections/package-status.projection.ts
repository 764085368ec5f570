import type {
  BuildAbandoned,
  BuildFailed,
  BuildRechecked,
  BuildRetryScheduled,
  BuildStarted,
  BuildSucceeded,
  CommitDiscovered,
} from '../build/build.events.js';
import type { BuildStatus } from '../build/build.state.js';
import type { FailureNotified, PackageSkipped } from '../package/package.events.js';
import type { RecordedEvent } from '../shared/event.js';
import type { ProjectionContext, ProjectionDefinition } from './projection.js';

/** A finished build of the package as the status report shows it. */
export interface PackageBuild {
  readonly buildId: string;
  readonly status: BuildStatus;
  /** Position of the result event: DLRN's id order. */
  readonly position: number;
  readonly dtBuild: number | null;
  readonly commitHash: string;
  readonly distroHash: string;
  readonly extendedHash: string | null;
  readonly component: string | null;
  readonly nvr: string | null;
  readonly repoDir: string;
  readonly artifacts: readonly string[];
}

/** Results left out of a long run of failures (only the oldest and newest are kept). */
export interface OmittedResults {
  readonly status: 'OMITTED';
  readonly failed: number;
  readonly position: number;
}

export interface PackageStatusDoc {
  readonly package: string;
  /** Component of the last build. */
  readonly component: string | null;
  /** Raw status of the last build, RETRY included; null while no build has finished. */
  readonly status: BuildStatus | null;
  readonly lastBuild: PackageBuild | null;
  /** Newest non-RETRY status (DLRN `getLastProcessedCommit`). */
  readonly lastStatus: 'SUCCESS' | 'FAILED' | null;
  readonly lastSuccess: PackageBuild | null;
  /** DLRN's "first failure after success": the oldest FAILED build started after the last success. */
  readonly firstFailure: PackageBuild | null;
  readonly failuresSinceSuccess: number;
  /** Epoch seconds of the last failure mail (DLRN `projects.last_email`). */
  readonly lastMailAt: number | null;
  /** The last skip (refresh failure); cleared when a later pass discovers a commit of the package. */
  readonly skipped: { readonly reason: string; readonly occurredAt: string; readonly correlationId: string } | null;
  /** Non-rechecked results since the RECENT_SUCCESSES-th last success, in result order. */
  readonly recent: readonly (PackageBuild | OmittedResults)[];
  /** Results older than `recent` exist (so "never succeeded" cannot be told from `recent` alone). */
  readonly truncated: boolean;
  /** Builds started and not finished: their dt_build, which result events do not repeat. */
  readonly started: Readonly<Record<string, number>>;
  readonly lastPosition: number;
}

/** Successes kept so that rechecking the last one (forced) falls back to the one before. */
const RECENT_SUCCESSES = 3;
/** A failing run keeps its oldest results (first failure) and newest ones (rechecks). */
const RUN_HEAD = 50;
const RUN_MAX = 100;

type Folded =
  | CommitDiscovered
  | BuildStarted
  | BuildAbandoned
  | BuildSucceeded
  | BuildFailed
  | BuildRetryScheduled
  | BuildRechecked
  | PackageSkipped
  | FailureNotified;

const EVENT_TYPES: readonly Folded['type'][] = [
  'CommitDiscovered',
  'BuildStarted',
  'BuildAbandoned',
  'BuildSucceeded',
  'BuildFailed',
  'BuildRetryScheduled',
  'BuildRechecked',
  'PackageSkipped',
  'FailureNotified',
];

function empty(pkg: string, component: string | null): PackageStatusDoc {
  return {
    package: pkg,
    component,
    status: null,
    lastBuild: null,
    lastStatus: null,
    lastSuccess: null,
    firstFailure: null,
    failuresSinceSuccess: 0,
    lastMailAt: null,
    skipped: null,
    recent: [],
    truncated: false,
    started: {},
    lastPosition: 0,
  };
}

const isBuild = (entry: PackageBuild | OmittedResults): entry is PackageBuild => entry.status !== 'OMITTED';

function findLast<T>(items: readonly T[], predicate: (item: T) => boolean): T | null {
  for (let i = items.length - 1; i >= 0; i--) if (predicate(items[i]!)) return items[i]!;
  return null;
}

/** Keeps `recent` bounded: from the RECENT_SUCCESSES-th last success, with long runs cut short. */
function prune(doc: PackageStatusDoc): PackageStatusDoc {
  let recent = [...doc.recent];
  let truncated = doc.truncated;
  let successes = 0;
  for (let i = recent.length - 1; i >= 0; i--) {
    if (recent[i]!.status === 'SUCCESS' && ++successes === RECENT_SUCCESSES) {
      truncated = truncated || i > 0;
      recent = recent.slice(i);
      break;
    }
  }
  const lastSuccess = recent.findLastIndex((entry) => entry.status === 'SUCCESS');
  const runStart = lastSuccess + 1;
  // The middle of a run is folded into one counter: first failure and rechecks never need it.
  while (recent.length - runStart > RUN_MAX) {
    const at = runStart + RUN_HEAD;
    const middle = recent[at]!;
    const next = recent[at + 1]!;
    const omitted: OmittedResults = isBuild(middle)
      ? { status: 'OMITTED', failed: middle.status === 'FAILED' ? 1 : 0, position: middle.position }
      : middle;
    const failed = omitted.failed + (next.status === 'FAILED' ? 1 : next.status === 'OMITTED' ? next.failed : 0);
    recent.splice(at, 2, { status: 'OMITTED', failed, position: next.position });
  }
  return { ...doc, recent, truncated };
}

/** DLRN's status-report rules, recomputed from `recent` after every result or recheck. */
function derive(doc: PackageStatusDoc): PackageStatusDoc {
  const builds = doc.recent.filter(isBuild);
  const lastBuild = builds.at(-1) ?? null;
  const lastSuccess = findLast(builds, (b) => b.status === 'SUCCESS');
  const lastNonRetry = findLast(builds, (b) => b.status !== 'RETRY');
  // "After the last success" is by dt_build, as DLRN compares them; never succeeded: every failure.
  const since = lastSuccess?.dtBuild ?? null;
  const after = (b: PackageBuild): boolean => lastSuccess === null || (b.dtBuild ?? 0) > (since ?? 0);
  const failures = builds.filter((b) => b.status === 'FAILED' && after(b));
  const omitted = doc.recent
    .filter((e): e is OmittedResults => !isBuild(e))
    .filter((e) => lastSuccess === null || e.position > lastSuccess.position)
    .reduce((sum, e) => sum + e.failed, 0);
  return {
    ...doc,
    component: lastBuild?.component ?? doc.component,
    status: lastBuild?.status ?? null,
    lastBuild,
    lastStatus: lastNonRetry === null ? null : lastNonRetry.status === 'SUCCESS' ? 'SUCCESS' : 'FAILED',
    lastSuccess,
    firstFailure: failures.reduce<PackageBuild | null>((a, b) => (a === null || b.position < a.position ? b : a), null),
    failuresSinceSuccess: failures.length + omitted,
  };
}

function finished(
  doc: PackageStatusDoc,
  event: RecordedEvent,
  context: ProjectionContext,
  result: { buildId: string; status: BuildStatus; repoDir: string; nvr: string | null; artifacts: readonly string[] },
): PackageStatusDoc {
  const commit = context.commit!;
  const { [result.buildId]: dtBuild, ...started } = doc.started;
  const build: PackageBuild = {
    ...result,
    position: event.position,
    dtBuild: dtBuild ?? null,
    commitHash: commit.commitHash,
    distroHash: commit.distroHash,
    extendedHash: commit.extendedHash,
    component: commit.component,
  };
  return derive(prune({ ...doc, started, recent: [...doc.recent, build] }));
}

function evolve(
  doc: PackageStatusDoc | null,
  event: RecordedEvent,
  context: ProjectionContext,
  key: string,
): PackageStatusDoc | null {
  if (doc !== null && event.position <= doc.lastPosition) return doc;
  const e = event as unknown as Folded;
  // Discovery alone does not make a package "built": a package without results stays NO_BUILD.
  if (e.type === 'CommitDiscovered') return doc && { ...doc, skipped: null, lastPosition: event.position };
  const base = { ...(doc ?? empty(key, context.commit?.component ?? null)), lastPosition: event.position };
  switch (e.type) {
    case 'BuildStarted':
      return { ...base, started: { ...base.started, [e.data.buildId]: e.data.dtBuild } };
    case 'BuildAbandoned': {
      const { [e.data.buildId]: _abandoned, ...started } = base.started;
      return { ...base, started };
    }
    case 'BuildSucceeded':
      return finished(base, event, context, { ...e.data, status: 'SUCCESS' });
    case 'BuildFailed':
      return finished(base, event, context, { ...e.data, status: 'FAILED', nvr: null, artifacts: [] });
    case 'BuildRetryScheduled':
      return finished(base, event, context, { ...e.data, status: 'RETRY', nvr: null, artifacts: [] });
    case 'BuildRechecked':
      // DLRN deletes the row: everything derived from it is computed again without it.
      return derive({ ...base, recent: base.recent.filter((b) => !isBuild(b) || b.buildId !== e.data.buildId) });
    case 'PackageSkipped': {
      const { occurredAt, correlationId } = event.metadata;
      return { ...base, skipped: { reason: e.data.reason, occurredAt, correlationId } };
    }
    case 'FailureNotified':
      return { ...base, lastMailAt: e.data.sentAt };
    default:
      return doc;
  }
}

/**
 * Per package (key: name): what DLRN's status report and `packageStatus` show. A configured
 * package with no document, or with `status` null, is NO_BUILD. Days since the last success
 * depend on "now": queries compute them from `last_success_dt_build`.
 */
export const packageStatusProjection: ProjectionDefinition<PackageStatusDoc> = {
  name: 'package_status',
  version: 1,
  eventTypes: EVENT_TYPES,
  keys: (event, context) => {
    if (event.type === 'CommitDiscovered') return [(event.data as CommitDiscovered['data']).package];
    if (event.type === 'PackageSkipped' || event.type === 'FailureNotified') {
      return [(event.data as PackageSkipped['data']).package];
    }
    return context.commit ? [context.commit.package] : [];
  },
  evolve,
  columns: {
    package: 'text',
    status: 'text',
    last_status: 'text',
    last_success_dt_build: 'integer',
    first_failure_dt_build: 'integer',
    failures_since_success: 'integer',
    component: 'text',
  },
  row: (doc) => ({
    package: doc.package,
    status: doc.status,
    last_status: doc.lastStatus,
    last_success_dt_build: doc.lastSuccess?.dtBuild ?? null,
    first_failure_dt_build: doc.firstFailure?.dtBuild ?? null,
    failures_since_success: doc.failuresSinceSuccess,
    component: doc.component,
  }),
  indexes: [['status'], ['component']],
};
