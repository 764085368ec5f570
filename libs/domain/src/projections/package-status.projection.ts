import {
  isBisectionStep,
  type BuildAbandoned,
  type BuildMoved,
  type BuildFailed,
  type BuildRechecked,
  type BuildRetryScheduled,
  type BuildStarted,
  type BuildSucceeded,
  type CommitDiscovered,
} from '../build/build.events.js';
import type { BuildStatus } from '../build/build.state.js';
import type {
  BisectionInconclusive,
  BisectionStarted,
  BisectionStepBuilt,
  CulpritIdentified,
} from '../bisection/bisection.events.js';
import type { FailureNotified, PackageSkipped } from '../package/package.events.js';
import type { RecordedEvent } from '../shared/event.js';
import { isProcessed } from './dlrn-read-rules.js';
import type { ColumnType, ContextualEvent, ProjectionContext, ProjectionDefinition } from './projection.js';

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

/**
 * The package's latest bisection (issue 20): running, its culprit, or why there is none. Cleared
 * when a build of the package (not a bisection step) succeeds again.
 */
export interface PackageBisection {
  readonly bisectionId: string;
  readonly state: 'running' | 'culprit' | 'inconclusive';
  /** The last good and first bad commits the bisection started from. */
  readonly goodCommitHash: string;
  readonly badCommitHash: string;
  /** First-parent commits after good up to bad (the culprit is one of them). */
  readonly candidates: number;
  /** Steps built so far. */
  readonly steps: number;
  readonly startedAt: string;
  /** Set once the culprit is identified. */
  readonly culprit: {
    readonly commitHash: string;
    readonly distroHash: string;
    readonly buildId: string | null;
    readonly lastGoodCommitHash: string;
    readonly identifiedAt: string;
  } | null;
  /** Set when inconclusive: DLRN-style reason code and one line for a human. */
  readonly reason: BisectionInconclusive['data']['reason'] | null;
  readonly detail: string | null;
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
  /** The latest bisection of the current breakage; null when none ran or the package succeeded since. */
  readonly bisection: PackageBisection | null;
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
  | BuildMoved
  | BuildSucceeded
  | BuildFailed
  | BuildRetryScheduled
  | BuildRechecked
  | PackageSkipped
  | FailureNotified
  | BisectionStarted
  | BisectionStepBuilt
  | CulpritIdentified
  | BisectionInconclusive;

const EVENT_TYPES: readonly Folded['type'][] = [
  'CommitDiscovered',
  'BuildStarted',
  'BuildAbandoned',
  'BuildMoved',
  'BuildSucceeded',
  'BuildFailed',
  'BuildRetryScheduled',
  'BuildRechecked',
  'PackageSkipped',
  'FailureNotified',
  'BisectionStarted',
  'BisectionStepBuilt',
  'CulpritIdentified',
  'BisectionInconclusive',
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
    bisection: null,
    lastPosition: 0,
  };
}

const isBuild = (entry: PackageBuild | OmittedResults): entry is PackageBuild => entry.status !== 'OMITTED';

/** A document this reducer is still building (never one it was given): it owns `recent` and `started`. */
type Draft = { -readonly [K in keyof PackageStatusDoc]: PackageStatusDoc[K] } & {
  recent: (PackageBuild | OmittedResults)[];
  started: Record<string, number>;
};

/**
 * A fresh copy to fill in, written out field by field: one object shape for every document (a
 * spread of documents of varied origins, parsed or built, runs V8's slow generic path). `started`
 * is a null-prototype object: a dictionary in V8 (a literal given a new build id as key each time
 * would make the engine derive a new object shape per build).
 */
function draftOf(doc: PackageStatusDoc): Draft {
  const started = Object.create(null) as Record<string, number>;
  for (const id in doc.started) started[id] = doc.started[id]!;
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
    recent: doc.recent.slice(),
    truncated: doc.truncated,
    started,
    bisection: doc.bisection ?? null,
    lastPosition: doc.lastPosition,
  };
}

/**
 * Keeps `recent` bounded: from the RECENT_SUCCESSES-th last success, with long runs cut short.
 * Pruning after every result or only before the next success, recheck or the end of a batch
 * comes to the same: failures appended to a run fold into the same counter either way.
 */
function prune(doc: Draft): void {
  const { recent } = doc;
  let successes = 0;
  const keepFrom = recent.findLastIndex((entry) => entry.status === 'SUCCESS' && ++successes === RECENT_SUCCESSES);
  if (keepFrom > 0) {
    doc.truncated = true;
    recent.splice(0, keepFrom);
  }
  const lastSuccess = recent.findLastIndex((entry) => entry.status === 'SUCCESS');
  const runStart = lastSuccess + 1;
  // The middle of a run is folded into one counter: first failure and rechecks never need it.
  const excess = recent.length - runStart - RUN_MAX;
  if (excess <= 0) return;
  const at = runStart + RUN_HEAD;
  let failed = 0;
  for (let i = at; i <= at + excess; i++) {
    const entry = recent[i]!;
    failed += entry.status === 'FAILED' ? 1 : entry.status === 'OMITTED' ? entry.failed : 0;
  }
  recent.splice(at, excess + 1, { status: 'OMITTED', failed, position: recent[at + excess]!.position });
}

/**
 * DLRN's status-report rules, recomputed from `recent` (two passes over a list of a few entries,
 * no intermediate arrays).
 */
function derive(doc: Draft): void {
  const { recent } = doc;
  let lastBuild: PackageBuild | null = null;
  let lastSuccess: PackageBuild | null = null;
  let lastNonRetry: PackageBuild | null = null;
  for (let i = recent.length - 1; i >= 0; i--) {
    const entry = recent[i]!;
    if (!isBuild(entry)) continue;
    lastBuild ??= entry;
    if (lastSuccess === null && entry.status === 'SUCCESS') lastSuccess = entry;
    if (lastNonRetry === null && isProcessed(entry.status)) lastNonRetry = entry;
  }
  // "After the last success" is by dt_build, as DLRN compares them; never succeeded: every failure.
  const since = lastSuccess?.dtBuild ?? 0;
  let firstFailure: PackageBuild | null = null;
  let failures = 0;
  for (const entry of recent) {
    if (isBuild(entry)) {
      if (entry.status !== 'FAILED' || (lastSuccess !== null && (entry.dtBuild ?? 0) <= since)) continue;
      failures += 1;
      // `recent` is in log order: the first failure met is the oldest.
      firstFailure ??= entry;
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
}

/** A result joins `recent` (the run is pruned before a success ends it). */
function finished(
  doc: Draft,
  event: RecordedEvent,
  context: ProjectionContext,
  status: BuildStatus,
  result: {
    readonly buildId: string;
    readonly repoDir: string;
    readonly nvr?: string | null;
    readonly artifacts?: readonly string[];
  },
): void {
  const commit = context.commit!;
  const { buildId } = result;
  const dtBuild = doc.started[buildId];
  delete doc.started[buildId];
  if (status === 'SUCCESS') {
    prune(doc);
    // The breakage is over: its bisection (running or done) no longer describes the package.
    doc.bisection = null;
  }
  // Written out field by field: one object shape for every entry (and no event field not declared).
  doc.recent.push({
    buildId,
    status,
    position: event.position,
    dtBuild: dtBuild ?? null,
    commitHash: commit.commitHash,
    distroHash: commit.distroHash,
    extendedHash: commit.extendedHash,
    component: commit.component,
    nvr: result.nvr ?? null,
    repoDir: result.repoDir,
    artifacts: result.artifacts ?? [],
  });
}

/**
 * Folds one batch's events of a package into one draft (copied once), pruning and deriving
 * where the outcome needs it; `evolve` is this with one event.
 */
function evolveBatch(
  doc: PackageStatusDoc | null,
  events: readonly ContextualEvent<Folded>[],
  key: string,
): PackageStatusDoc | null {
  let draft: Draft | null = null;
  let lastPosition = doc?.lastPosition ?? 0;
  /** `recent` changed since the last derive. */
  // Stryker disable next-line BooleanLiteral: equivalent: prune and derive are idempotent; the flag only spares their work
  let changed = false;
  for (const { event, context } of events) {
    if (event.position <= lastPosition) continue;
    // A bisection step never changes the package's status: only its bisection's outcome does.
    if (context.commit !== null && isBisectionStep(context.commit)) continue;
    const e = event;
    // Discovery alone does not make a package "built": a package without results stays NO_BUILD.
    if (e.type === 'CommitDiscovered' && draft === null && doc === null) continue;
    draft ??= draftOf(doc ?? empty(key, context.commit?.component ?? null));
    lastPosition = event.position;
    switch (e.type) {
      case 'CommitDiscovered':
        draft.skipped = null;
        break;
      case 'BuildStarted':
        draft.started[e.data.buildId] = e.data.dtBuild;
        break;
      case 'BuildAbandoned':
      case 'BuildMoved':
        delete draft.started[e.data.buildId];
        break;
      case 'BuildSucceeded':
        finished(draft, event, context, 'SUCCESS', e.data);
        changed = true;
        break;
      case 'BuildFailed':
        finished(draft, event, context, 'FAILED', e.data);
        changed = true;
        break;
      case 'BuildRetryScheduled':
        finished(draft, event, context, 'RETRY', e.data);
        changed = true;
        break;
      case 'BuildRechecked': {
        // DLRN deletes the row: everything derived from it is computed again without it.
        prune(draft);
        const { buildId } = e.data;
        draft.recent = draft.recent.filter((b) => !isBuild(b) || b.buildId !== buildId);
        changed = true;
        break;
      }
      case 'PackageSkipped': {
        const { occurredAt, correlationId } = event.metadata;
        draft.skipped = { reason: e.data.reason, occurredAt, correlationId };
        break;
      }
      case 'FailureNotified':
        draft.lastMailAt = e.data.sentAt;
        break;
      case 'BisectionStarted':
        draft.bisection = {
          bisectionId: e.data.bisectionId,
          state: 'running',
          goodCommitHash: e.data.good.commitHash,
          badCommitHash: e.data.bad.commitHash,
          candidates: e.data.candidates.length,
          steps: 0,
          startedAt: event.metadata.occurredAt,
          culprit: null,
          reason: null,
          detail: null,
        };
        break;
      case 'BisectionStepBuilt':
        if (draft.bisection?.bisectionId === e.data.bisectionId) {
          draft.bisection = { ...draft.bisection, steps: Math.max(draft.bisection.steps, e.data.step) };
        }
        break;
      case 'CulpritIdentified':
        // An outcome of a bisection the package has moved past (a success since) changes nothing.
        if (draft.bisection?.bisectionId === e.data.bisectionId) {
          draft.bisection = {
            ...draft.bisection,
            state: 'culprit',
            steps: e.data.steps,
            culprit: {
              commitHash: e.data.commitHash,
              distroHash: e.data.distroHash,
              buildId: e.data.buildId,
              lastGoodCommitHash: e.data.lastGoodCommitHash,
              identifiedAt: event.metadata.occurredAt,
            },
          };
        }
        break;
      case 'BisectionInconclusive':
        if (draft.bisection?.bisectionId === e.data.bisectionId) {
          draft.bisection = {
            ...draft.bisection,
            state: 'inconclusive',
            steps: e.data.steps,
            reason: e.data.reason,
            detail: e.data.detail,
          };
        }
        break;
    }
    draft.lastPosition = lastPosition;
  }
  if (draft === null) return doc;
  // Stryker disable next-line ConditionalExpression: equivalent for `true` (as above); `false` is killed by every spec of a result
  if (changed) {
    prune(draft);
    derive(draft);
  }
  return draft;
}

/**
 * Per package (key: name): what DLRN's status report and `packageStatus` show. A configured
 * package with no document, or with `status` null, is NO_BUILD. Days since the last success
 * depend on "now": queries compute them from `last_success_dt_build`.
 */
const PACKAGE_STATUS_COLUMNS = {
  package: 'text',
  status: 'text',
  last_status: 'text',
  last_success_dt_build: 'integer',
  first_failure_dt_build: 'integer',
  failures_since_success: 'integer',
  component: 'text',
} as const satisfies Record<string, ColumnType>;
export type PackageStatusColumn = keyof typeof PACKAGE_STATUS_COLUMNS;

export const packageStatusProjection: ProjectionDefinition<PackageStatusDoc, Folded, PackageStatusColumn> = {
  name: 'package_status',
  // 2: build entries keep only their declared fields (no notes); 3: the bisection, bisection steps left out
  version: 3,
  eventTypes: EVENT_TYPES,
  keys: (event, context) => {
    switch (event.type) {
      case 'CommitDiscovered':
      case 'PackageSkipped':
      case 'FailureNotified':
      case 'BisectionStarted':
      case 'BisectionStepBuilt':
      case 'CulpritIdentified':
      case 'BisectionInconclusive':
        return [event.data.package];
      default:
        return context.commit ? [context.commit.package] : [];
    }
  },
  evolve: (doc, event, context, key) => evolveBatch(doc, [{ event, context }], key),
  evolveBatch,
  columns: PACKAGE_STATUS_COLUMNS,
  row: (doc) => ({
    package: doc.package,
    status: doc.status,
    last_status: doc.lastStatus,
    last_success_dt_build: doc.lastSuccess?.dtBuild ?? null,
    first_failure_dt_build: doc.firstFailure?.dtBuild ?? null,
    failures_since_success: doc.failuresSinceSuccess,
    component: doc.component,
  }),
  // Stryker disable next-line ArrayDeclaration: equivalent: an index changes how a query runs, not what it answers
  indexes: [['status'], ['component']],
};
