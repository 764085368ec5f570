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

/**
 * A copy of `started` to add to or take from. Null-prototype objects are dictionaries in V8: a
 * literal given a new build id as key each time would make the engine derive a new object shape
 * per build (measured: 1.8 µs per BuildStarted, most of this reducer's time).
 */
function startedCopy(started: Readonly<Record<string, number>>, without?: string): Record<string, number> {
  const copy = Object.create(null) as Record<string, number>;
  for (const id in started) if (id !== without) copy[id] = started[id]!;
  return copy;
}

/** `started` without `buildId`, and the dt_build it had. */
function withoutStarted(
  started: Readonly<Record<string, number>>,
  buildId: string,
): { started: Readonly<Record<string, number>>; dtBuild: number | undefined } {
  if (!Object.hasOwn(started, buildId)) return { started, dtBuild: undefined };
  return { started: startedCopy(started, buildId), dtBuild: started[buildId] };
}

/**
 * Keeps `recent` bounded: from the RECENT_SUCCESSES-th last success, with long runs cut short.
 * `recent` is a fresh array of the caller's, changed in place.
 */
function prune(recent: (PackageBuild | OmittedResults)[], truncated: boolean) {
  let successes = 0;
  for (let i = recent.length - 1; i >= 0; i--) {
    if (recent[i]!.status === 'SUCCESS' && ++successes === RECENT_SUCCESSES) {
      truncated = truncated || i > 0;
      if (i > 0) recent.splice(0, i);
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
  return { recent, truncated };
}

/** A document this reducer is still building (never one it was given). */
type Draft = { -readonly [K in keyof PackageStatusDoc]: PackageStatusDoc[K] };

/**
 * A fresh copy to fill in, written out field by field: one object shape for every document (a
 * spread of documents of varied origins, parsed or built, runs V8's slow generic path).
 */
function draftOf(doc: PackageStatusDoc, position: number): Draft {
  return {
    package: doc.package,
    component: doc.component,
    status: doc.status,
    lastBuild: doc.lastBuild,
    lastStatus: doc.lastStatus,
    lastSuccess: doc.lastSuccess,
    firstFailure: doc.firstFailure,
    failuresSinceSuccess: doc.failuresSinceSuccess,
    lastMailAt: doc.lastMailAt,
    skipped: doc.skipped,
    recent: doc.recent,
    truncated: doc.truncated,
    started: doc.started,
    lastPosition: position,
  };
}

/**
 * DLRN's status-report rules, recomputed from `recent` after every result or recheck (two
 * passes over a list of a few entries, no intermediate arrays: this runs for every result).
 */
function derive(doc: Draft): Draft {
  const { recent } = doc;
  let lastBuild: PackageBuild | null = null;
  let lastSuccess: PackageBuild | null = null;
  let lastNonRetry: PackageBuild | null = null;
  for (let i = recent.length - 1; i >= 0 && (lastSuccess === null || lastNonRetry === null); i--) {
    const entry = recent[i]!;
    if (!isBuild(entry)) continue;
    lastBuild ??= entry;
    if (lastSuccess === null && entry.status === 'SUCCESS') lastSuccess = entry;
    if (lastNonRetry === null && entry.status !== 'RETRY') lastNonRetry = entry;
  }
  // "After the last success" is by dt_build, as DLRN compares them; never succeeded: every failure.
  const since = lastSuccess?.dtBuild ?? 0;
  let firstFailure: PackageBuild | null = null;
  let failures = 0;
  for (const entry of recent) {
    if (isBuild(entry)) {
      if (entry.status !== 'FAILED' || (lastSuccess !== null && (entry.dtBuild ?? 0) <= since)) continue;
      failures += 1;
      if (firstFailure === null || entry.position < firstFailure.position) firstFailure = entry;
    } else if (lastSuccess === null || entry.position > lastSuccess.position) {
      failures += entry.failed;
    }
  }
  doc.component = lastBuild?.component ?? doc.component;
  doc.status = lastBuild?.status ?? null;
  doc.lastBuild = lastBuild;
  doc.lastStatus = lastNonRetry === null ? null : lastNonRetry.status === 'SUCCESS' ? 'SUCCESS' : 'FAILED';
  doc.lastSuccess = lastSuccess;
  doc.firstFailure = firstFailure;
  doc.failuresSinceSuccess = failures;
  return doc;
}

function finished(
  doc: Draft,
  event: RecordedEvent,
  context: ProjectionContext,
  result: { buildId: string; status: BuildStatus; repoDir: string; nvr: string | null; artifacts: readonly string[] },
): Draft {
  const commit = context.commit!;
  const { started, dtBuild } = withoutStarted(doc.started, result.buildId);
  const build: PackageBuild = {
    ...result,
    position: event.position,
    dtBuild: dtBuild ?? null,
    commitHash: commit.commitHash,
    distroHash: commit.distroHash,
    extendedHash: commit.extendedHash,
    component: commit.component,
  };
  const pruned = prune([...doc.recent, build], doc.truncated);
  doc.started = started;
  doc.recent = pruned.recent;
  doc.truncated = pruned.truncated;
  return derive(doc);
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
  if (e.type === 'CommitDiscovered') {
    if (doc === null) return null;
    const next = draftOf(doc, event.position);
    next.skipped = null;
    return next;
  }
  const next = draftOf(doc ?? empty(key, context.commit?.component ?? null), event.position);
  switch (e.type) {
    case 'BuildStarted': {
      const started = startedCopy(next.started);
      started[e.data.buildId] = e.data.dtBuild;
      next.started = started;
      return next;
    }
    case 'BuildAbandoned':
      next.started = withoutStarted(next.started, e.data.buildId).started;
      return next;
    case 'BuildSucceeded':
      return finished(next, event, context, { ...e.data, status: 'SUCCESS' });
    case 'BuildFailed':
      return finished(next, event, context, { ...e.data, status: 'FAILED', nvr: null, artifacts: [] });
    case 'BuildRetryScheduled':
      return finished(next, event, context, { ...e.data, status: 'RETRY', nvr: null, artifacts: [] });
    case 'BuildRechecked':
      // DLRN deletes the row: everything derived from it is computed again without it.
      next.recent = next.recent.filter((b) => !isBuild(b) || b.buildId !== e.data.buildId);
      return derive(next);
    case 'PackageSkipped': {
      const { occurredAt, correlationId } = event.metadata;
      next.skipped = { reason: e.data.reason, occurredAt, correlationId };
      return next;
    }
    case 'FailureNotified':
      next.lastMailAt = e.data.sentAt;
      return next;
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
