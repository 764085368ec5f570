import type { CiVoteReported, RepoClaimed } from '../ci-vote/ci-vote.events.js';
import type { ColumnType, ProjectionDefinition, RecordedOf } from './projection.js';
import { VOTE_COLUMNS, voteRow, type VoteFields } from './vote-row.js';

/** DLRN's `civotes` row: a CI verdict on a repository, or a claim (`ci_in_progress`). */
export interface CiVoteDoc extends VoteFields {
  readonly commitHash: string;
  readonly distroHash: string;
  readonly extendedHash: string | null;
  readonly component: string | null;
}

type Folded = CiVoteReported | RepoClaimed;

function evolve(doc: CiVoteDoc | null, event: RecordedOf<Folded>): CiVoteDoc | null {
  // One event, one row: a document that exists already is this event's own, replayed.
  if (doc !== null) return doc;
  const e = event;
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
const CI_VOTE_COLUMNS = {
  ...VOTE_COLUMNS,
  commit_hash: 'text',
  distro_hash: 'text',
  extended_hash: 'text',
  component: 'text',
} as const satisfies Record<string, ColumnType>;
export type CiVoteColumn = keyof typeof CI_VOTE_COLUMNS;

export const ciVotesProjection: ProjectionDefinition<CiVoteDoc, Folded, CiVoteColumn> = {
  name: 'ci_votes',
  version: 1,
  eventTypes: ['CiVoteReported', 'RepoClaimed'] satisfies Folded['type'][],
  keys: (event) => [event.metadata.eventId],
  evolve: (doc, event) => evolve(doc, event),
  columns: CI_VOTE_COLUMNS,
  row: (doc) => ({
    ...voteRow(doc),
    commit_hash: doc.commitHash,
    distro_hash: doc.distroHash,
    extended_hash: doc.extendedHash,
    component: doc.component,
  }),
  // Stryker disable next-line ArrayDeclaration: equivalent: an index changes how a query runs, not what it answers
  indexes: [['commit_hash', 'distro_hash'], ['timestamp'], ['ci_name', 'timestamp'], ['component', 'timestamp']],
};
