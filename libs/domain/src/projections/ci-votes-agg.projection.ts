import type { AggregateVoteReported } from '../ci-vote/ci-vote.events.js';
import type { RecordedEvent } from '../shared/event.js';
import type { ProjectionDefinition } from './projection.js';

/** DLRN's `civotes_agg` row: a CI verdict on an aggregated (component) repository hash. */
export interface CiVoteAggDoc {
  readonly id: number;
  readonly refHash: string;
  readonly ciName: string;
  readonly ciUrl: string;
  readonly ciVote: boolean;
  readonly ciInProgress: boolean;
  readonly timestamp: number;
  readonly notes: string;
  readonly user: string | null;
  readonly lastPosition: number;
}

function evolve(doc: CiVoteAggDoc | null, event: RecordedEvent): CiVoteAggDoc | null {
  // One event, one row: a document that exists already is this event's own, replayed.
  if (doc !== null) return doc;
  const { aggregateHash, jobId, url, success, inProgress, timestamp, notes, user } = (
    event as unknown as AggregateVoteReported
  ).data;
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
export const ciVotesAggProjection: ProjectionDefinition<CiVoteAggDoc> = {
  name: 'ci_votes_agg',
  version: 1,
  eventTypes: ['AggregateVoteReported'] satisfies AggregateVoteReported['type'][],
  keys: (event) => [event.metadata.eventId],
  evolve: (doc, event) => evolve(doc, event),
  columns: {
    id: 'integer',
    ref_hash: 'text',
    ci_name: 'text',
    ci_url: 'text',
    ci_vote: 'integer',
    ci_in_progress: 'integer',
    timestamp: 'integer',
    notes: 'text',
    user: 'text',
  },
  row: (doc) => ({
    id: doc.id,
    ref_hash: doc.refHash,
    ci_name: doc.ciName,
    ci_url: doc.ciUrl,
    ci_vote: doc.ciVote ? 1 : 0,
    ci_in_progress: doc.ciInProgress ? 1 : 0,
    timestamp: doc.timestamp,
    notes: doc.notes,
    user: doc.user,
  }),
  indexes: [['ref_hash'], ['timestamp'], ['ci_name', 'timestamp']],
};
