import type {
  BuildAbandoned,
  BuildClaimed,
  BuildFailed,
  BuildMoved,
  BuildRechecked,
  BuildRetryScheduled,
  BuildSucceeded,
  CommitDiscovered,
} from '../build/build.events.js';
import type { RecordedEvent } from '../shared/event.js';
import type { ProjectionContext, ProjectionDefinition, RecordedOf } from './projection.js';

/** A commit to build (waiting) or being built (building); gone once it has a counted result. */
export interface QueueDoc {
  readonly streamId: string;
  readonly package: string;
  readonly commitHash: string;
  readonly distroHash: string;
  readonly extendedHash: string | null;
  readonly dtCommit: number;
  readonly commitBranch: string;
  readonly component: string | null;
  readonly upstreamUrl: string | null;
  /** A commit build, or a bisection step (issue 20). */
  readonly purpose: CommitDiscovered['data']['purpose'];
  readonly state: 'waiting' | 'building';
  /** The claim while building; the last one while waiting again. */
  readonly buildId: string | null;
  readonly builderId: string | null;
  readonly leaseExpiresAt: string | null;
  /** RETRY results so far (DLRN's `timesretried`). */
  readonly retries: number;
  /** When it (re-)entered the queue: discovery, retry, recheck or abandon. */
  readonly queuedAt: string;
  readonly lastPosition: number;
}

type Folded =
  | CommitDiscovered
  | BuildClaimed
  | BuildAbandoned
  | BuildMoved
  | BuildSucceeded
  | BuildFailed
  | BuildRetryScheduled
  | BuildRechecked;

const EVENT_TYPES: readonly Folded['type'][] = [
  'CommitDiscovered',
  'BuildClaimed',
  'BuildAbandoned',
  'BuildMoved',
  'BuildSucceeded',
  'BuildFailed',
  'BuildRetryScheduled',
  'BuildRechecked',
];

function waiting(event: RecordedEvent, commit: CommitDiscovered['data']): QueueDoc {
  return {
    streamId: event.streamId,
    package: commit.package,
    commitHash: commit.commitHash,
    distroHash: commit.distroHash,
    extendedHash: commit.extendedHash,
    dtCommit: commit.dtCommit,
    commitBranch: commit.commitBranch,
    component: commit.component,
    upstreamUrl: commit.upstreamUrl,
    purpose: commit.purpose,
    state: 'waiting',
    buildId: null,
    builderId: null,
    leaseExpiresAt: null,
    retries: 0,
    queuedAt: event.metadata.occurredAt,
    lastPosition: event.position,
  };
}

function evolve(doc: QueueDoc | null, event: RecordedOf<Folded>, context: ProjectionContext): QueueDoc | null {
  if (doc !== null && event.position <= doc.lastPosition) return doc;
  const e = event;
  if (e.type === 'CommitDiscovered') return doc ?? waiting(event, e.data);
  // A commit that left the queue comes back with its stream's discovery (retry, recheck).
  const known = doc ?? (context.commit && waiting(event, context.commit));
  if (known === null) return null;
  const lastPosition = event.position;
  const requeued = (): QueueDoc => ({ ...known, lastPosition, state: 'waiting', queuedAt: event.metadata.occurredAt });
  switch (e.type) {
    case 'BuildClaimed': {
      const { buildId, builderId, leaseExpiresAt } = e.data;
      return { ...known, lastPosition, state: 'building', buildId, builderId, leaseExpiresAt };
    }
    case 'BuildAbandoned':
      // Only the current claim's end matters; an older claim's abandon changes nothing.
      return known.state === 'building' && known.buildId === e.data.buildId ? requeued() : { ...known, lastPosition };
    // A moved build goes on as the new triple's, queued in that stream.
    case 'BuildSucceeded':
    case 'BuildFailed':
    case 'BuildMoved':
      return null;
    case 'BuildRetryScheduled':
      return { ...requeued(), retries: e.data.retries };
    case 'BuildRechecked':
      return requeued();
    default:
      return doc;
  }
}

/**
 * Pending commits (key: build stream id), DLRN's `queue.html`: discovered and without a counted
 * result. A RETRY, an abandoned claim or a recheck puts the commit back to `waiting`.
 */
export type QueueColumn = 'package' | 'dt_commit' | 'state' | 'component' | 'builder_id';

export const queueProjection: ProjectionDefinition<QueueDoc, Folded, QueueColumn> = {
  name: 'queue',
  // 2: the purpose of each pending build (bisection steps wait in the queue too).
  version: 2,
  eventTypes: EVENT_TYPES,
  keys: (event) => (event.streamId.startsWith('build-') ? [event.streamId] : []),
  evolve: (doc, event, context) => evolve(doc, event, context),
  columns: { package: 'text', dt_commit: 'integer', state: 'text', component: 'text', builder_id: 'text' },
  row: (doc) => ({
    package: doc.package,
    dt_commit: doc.dtCommit,
    state: doc.state,
    component: doc.component,
    builder_id: doc.builderId,
  }),
  // Stryker disable next-line ArrayDeclaration: equivalent: an index changes how a query runs, not what it answers
  indexes: [['state', 'dt_commit'], ['package'], ['dt_commit']],
};
