import type { CiVoteReported, RepoClaimed } from '../ci-vote/ci-vote.events.js';
import type { RecordedEvent } from '../shared/event.js';
import type { ProjectionDefinition } from './projection.js';

/** DLRN's `civotes` row: a CI verdict on a repository, or a claim (`ci_in_progress`). */
export interface CiVoteDoc {
  /** Position of the event: DLRN's id order ("database order" of `repo_status`). */
  readonly id: number;
  readonly commitHash: string;
  readonly distroHash: string;
  readonly extendedHash: string | null;
  readonly component: string | null;
  readonly ciName: string;
  readonly ciUrl: string;
  readonly ciVote: boolean;
  readonly ciInProgress: boolean;
  readonly timestamp: number;
  readonly notes: string;
  readonly user: string | null;
  readonly lastPosition: number;
}

type Folded = CiVoteReported | RepoClaimed;

function evolve(doc: CiVoteDoc | null, event: RecordedEvent): CiVoteDoc | null {
  // One event, one row: a document that exists already is this event's own, replayed.
  if (doc !== null) return doc;
  const e = event as unknown as Folded;
  const { commitHash, distroHash, extendedHash, component, jobId, url, notes, timestamp, user } = e.data;
  return {
    id: event.position,
    commitHash,
    distroHash,
    extendedHash,
    component,
    ciName: jobId,
    ciUrl: url,
    // A claim is recorded as DLRN does: a negative vote in progress.
    ciVote: e.type === 'CiVoteReported' ? e.data.success : false,
    ciInProgress: e.type === 'RepoClaimed',
    timestamp,
    notes,
    user,
    lastPosition: event.position,
  };
}

/** DLRN's `civotes` table (key: event id): one row per CiVoteReported and per RepoClaimed. */
export const ciVotesProjection: ProjectionDefinition<CiVoteDoc> = {
  name: 'ci_votes',
  version: 1,
  eventTypes: ['CiVoteReported', 'RepoClaimed'] satisfies Folded['type'][],
  keys: (event) => [event.metadata.eventId],
  evolve: (doc, event) => evolve(doc, event),
  columns: {
    id: 'integer',
    commit_hash: 'text',
    distro_hash: 'text',
    extended_hash: 'text',
    ci_name: 'text',
    ci_url: 'text',
    ci_vote: 'integer',
    ci_in_progress: 'integer',
    timestamp: 'integer',
    notes: 'text',
    user: 'text',
    component: 'text',
  },
  row: (doc) => ({
    id: doc.id,
    commit_hash: doc.commitHash,
    distro_hash: doc.distroHash,
    extended_hash: doc.extendedHash,
    ci_name: doc.ciName,
    ci_url: doc.ciUrl,
    ci_vote: doc.ciVote ? 1 : 0,
    ci_in_progress: doc.ciInProgress ? 1 : 0,
    timestamp: doc.timestamp,
    notes: doc.notes,
    user: doc.user,
    component: doc.component,
  }),
  indexes: [['commit_hash', 'distro_hash'], ['timestamp'], ['ci_name', 'timestamp'], ['component', 'timestamp']],
};
