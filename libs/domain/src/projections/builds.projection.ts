import type { BuildClaimed, BuildEvent, CommitDiscovered, DiscoveredCommit } from '../build/build.events.js';
import { datedCommitRef } from '../build/commit-ref.js';
import type { BuildStatus } from '../build/build.state.js';
import type { RecordedEvent } from '../shared/event.js';
import type { ColumnType, ContextualEvent, ProjectionContext, ProjectionDefinition } from './projection.js';

/** DLRN's `FLAG_PURGED`: the build's repository directory was removed. */
export const FLAG_PURGED = 0x2;

/**
 * One build attempt: DLRN's `commits` row, plus what DLRN never recorded (claims, abandons). The
 * commit's fields are its CommitDiscovered's (DLRN's row has no dist-git URL).
 */
export interface BuildDoc extends Omit<DiscoveredCommit, 'distgitUrl'> {
  /** Position of the BuildClaimed event: processing order of the attempts. */
  readonly id: number;
  readonly buildId: string;
  readonly streamId: string;
  readonly attempt: number;
  /** Set by BuildStarted; null while only claimed. */
  readonly dtBuild: number | null;
  /** Null while building (or after an abandon). */
  readonly status: BuildStatus | null;
  readonly artifacts: readonly string[];
  readonly nvr: string | null;
  readonly notes: string | null;
  readonly repoDir: string | null;
  /** Packages failing in the snapshot this success published (RepoPublished). */
  readonly failures: number | null;
  readonly flags: number;
  /** The result no longer counts (DLRN deletes the row; we keep it for the record). */
  readonly rechecked: boolean;
  /**
   * The attempt ended without a result: its builder vanished or restarted, or it went on as the
   * build of another triple (BuildMoved: the notes name its stream).
   */
  readonly abandoned: boolean;
  readonly builderId: string;
  /** Position of the result event: where DLRN's autoincrement id would have put the row. */
  readonly completedPosition: number | null;
  readonly lastPosition: number;
}

/** Every build event but the discovery, which each claim reads from its stream's context. */
type Folded = Exclude<BuildEvent, CommitDiscovered>;

const EVENT_TYPES: readonly Folded['type'][] = [
  'BuildClaimed',
  'BuildAbandoned',
  'BuildMoved',
  'BuildStarted',
  'BuildSucceeded',
  'BuildFailed',
  'BuildRetryScheduled',
  'BuildRechecked',
  'BuildPurged',
  'RepoPublished',
];

function claimed(event: RecordedEvent<BuildClaimed>, context: ProjectionContext): BuildDoc | null {
  const data = event.data;
  const commit = context.commit;
  // Without its stream's CommitDiscovered a claim cannot say what it builds: nothing to show.
  if (commit === null) return null;
  return {
    id: event.position,
    buildId: data.buildId,
    streamId: event.streamId,
    attempt: data.attempt,
    package: commit.package,
    project: commit.project,
    type: commit.type,
    ...datedCommitRef(commit),
    dtBuild: null,
    commitBranch: commit.commitBranch,
    component: commit.component,
    upstreamUrl: commit.upstreamUrl,
    versionsCsv: commit.versionsCsv,
    purpose: commit.purpose,
    status: null,
    artifacts: [],
    nvr: null,
    notes: null,
    repoDir: null,
    failures: null,
    flags: 0,
    rechecked: false,
    abandoned: false,
    builderId: data.builderId,
    completedPosition: null,
    lastPosition: event.position,
  };
}

type Draft = { -readonly [K in keyof BuildDoc]: BuildDoc[K] };

/**
 * Folds one batch's events of an attempt: the document is copied once (a claim makes a new one),
 * then refined in place; `evolve` is this with one event.
 */
function evolveBatch(doc: BuildDoc | null, events: readonly ContextualEvent<Folded>[]): BuildDoc | null {
  let draft: Draft | null = null;
  for (const { event, context } of events) {
    const current: BuildDoc | null = draft ?? doc;
    if (current !== null && event.position <= current.lastPosition) continue;
    const e = event;
    if (e.type === 'BuildClaimed') {
      if (current === null) draft = claimed(e, context);
      continue;
    }
    // Every other event refines an attempt whose claim we saw.
    if (current === null) continue;
    draft ??= { ...current };
    draft.lastPosition = event.position;
    switch (e.type) {
      case 'BuildAbandoned':
        draft.abandoned = true;
        break;
      case 'BuildMoved':
        draft.abandoned = true;
        draft.notes = `went on as ${e.data.toStreamId} (${e.data.cause})`;
        break;
      case 'BuildStarted':
        draft.dtBuild = e.data.dtBuild;
        break;
      case 'BuildSucceeded':
        draft.status = 'SUCCESS';
        draft.artifacts = e.data.artifacts;
        draft.nvr = e.data.nvr;
        draft.repoDir = e.data.repoDir;
        draft.notes = e.data.notes;
        draft.completedPosition = event.position;
        break;
      case 'BuildFailed':
      case 'BuildRetryScheduled':
        draft.status = e.type === 'BuildFailed' ? 'FAILED' : 'RETRY';
        draft.repoDir = e.data.repoDir;
        draft.notes = e.data.notes;
        draft.completedPosition = event.position;
        break;
      case 'BuildRechecked':
        draft.rechecked = true;
        break;
      case 'BuildPurged':
        draft.flags |= FLAG_PURGED;
        break;
      case 'RepoPublished':
        draft.failures = e.data.failures;
        break;
    }
  }
  return draft ?? doc;
}

/** The builds table's indexed columns. */
const BUILD_COLUMNS = {
  id: 'integer',
  build_id: 'text',
  package: 'text',
  type: 'text',
  status: 'text',
  commit_hash: 'text',
  distro_hash: 'text',
  extended_hash: 'text',
  commit_branch: 'text',
  dt_commit: 'integer',
  dt_build: 'integer',
  component: 'text',
  /** `commit` or `bisection` (BuildPurpose's kind): DLRN's API answers count commit builds only. */
  purpose: 'text',
  rechecked: 'integer',
  purged: 'integer',
  abandoned: 'integer',
  completed_position: 'integer',
} as const satisfies Record<string, ColumnType>;
export type BuildColumn = keyof typeof BUILD_COLUMNS;

/**
 * DLRN's `commits` table, one document per attempt (key: buildId). A row counts as DLRN's when
 * `status` is set and `rechecked` is 0; order by `completed_position` for DLRN's id order.
 * Bisection steps are rows too (the timeline shows them, `purpose`), which DLRN's API answers
 * leave out (dlrn-read-rules.ts).
 */
export const buildsProjection: ProjectionDefinition<BuildDoc, Folded, BuildColumn> = {
  name: 'builds',
  // 2: the build's purpose (a bisection step or a commit build), issue 20.
  version: 2,
  eventTypes: EVENT_TYPES,
  keys: (event) => {
    const buildId = event.data.buildId;
    return typeof buildId === 'string' ? [buildId] : [];
  },
  evolve: (doc, event, context) => evolveBatch(doc, [{ event, context }]),
  evolveBatch,
  columns: BUILD_COLUMNS,
  row: (doc) => ({
    id: doc.id,
    build_id: doc.buildId,
    package: doc.package,
    type: doc.type,
    status: doc.status,
    commit_hash: doc.commitHash,
    distro_hash: doc.distroHash,
    extended_hash: doc.extendedHash,
    commit_branch: doc.commitBranch,
    dt_commit: doc.dtCommit,
    dt_build: doc.dtBuild,
    component: doc.component,
    purpose: doc.purpose.kind,
    rechecked: doc.rechecked ? 1 : 0,
    purged: doc.flags & FLAG_PURGED ? 1 : 0,
    abandoned: doc.abandoned ? 1 : 0,
    completed_position: doc.completedPosition,
  }),
  // (rechecked, completed_position): the timeline in DLRN's id order (report.html, /api/builds).
  // Stryker disable ArrayDeclaration: equivalent: an index changes how a query runs, not what it answers
  indexes: [
    ['package', 'status', 'id'],
    ['commit_hash', 'distro_hash'],
    ['dt_build'],
    ['status', 'id'],
    ['component'],
    ['rechecked', 'completed_position'],
  ],
  // Stryker restore ArrayDeclaration
};
