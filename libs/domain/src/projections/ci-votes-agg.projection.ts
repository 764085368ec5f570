import type { AggregateVoteReported } from '../ci-vote/ci-vote.events.js';
import type { RecordedEvent } from '../shared/event.js';
import type { ProjectionDefinition } from './projection.js';
import { VOTE_COLUMNS, voteRow, type VoteColumn, type VoteFields } from './vote-row.js';

/** DLRN's `civotes_agg` row: a CI verdict on an aggregated (component) repository hash. */
export interface CiVoteAggDoc extends VoteFields {
  readonly refHash: string;
}

function evolve(doc: CiVoteAggDoc | null, event: RecordedEvent<AggregateVoteReported>): CiVoteAggDoc | null {
  // One event, one row: a document that exists already is this event's own, replayed.
  if (doc !== null) return doc;
  const { aggregateHash, jobId, url, success, inProgress, timestamp, notes, user } = event.data;
  return {
    id: event.position,
    refHash: aggregateHash,
    ciName: jobId,
    ciUrl: url,
    ciVote: success,
    ciInProgress: inProgress,
    timestamp,
    notes,
    user,
    lastPosition: event.position,
  };
}

/** DLRN's `civotes_agg` table (key: event id of AggregateVoteReported). */
export type CiVoteAggColumn = VoteColumn | 'ref_hash';

export const ciVotesAggProjection: ProjectionDefinition<CiVoteAggDoc, AggregateVoteReported, CiVoteAggColumn> = {
  name: 'ci_votes_agg',
  version: 1,
  eventTypes: ['AggregateVoteReported'] satisfies AggregateVoteReported['type'][],
  keys: (event) => [event.metadata.eventId],
  evolve: (doc, event) => evolve(doc, event),
  columns: {
    ...VOTE_COLUMNS,
    ref_hash: 'text',
  },
  row: (doc) => ({
    ...voteRow(doc),
    ref_hash: doc.refHash,
  }),
  // Stryker disable next-line ArrayDeclaration: equivalent: an index changes how a query runs, not what it answers
  indexes: [['ref_hash'], ['timestamp'], ['ci_name', 'timestamp']],
};
