import type { ColumnType, ColumnValue } from './projection.js';

/** The verdict fields `civotes` and `civotes_agg` share (DLRN's column names below). */
export interface VoteFields {
  /** Position of the event: DLRN's id order. */
  readonly id: number;
  readonly ciName: string;
  readonly ciUrl: string;
  readonly ciVote: boolean;
  readonly ciInProgress: boolean;
  readonly timestamp: number;
  readonly notes: string;
  readonly user: string | null;
  readonly lastPosition: number;
}

export const VOTE_COLUMNS = {
  id: 'integer',
  ci_name: 'text',
  ci_url: 'text',
  ci_vote: 'integer',
  ci_in_progress: 'integer',
  timestamp: 'integer',
  notes: 'text',
  user: 'text',
} as const satisfies Record<string, ColumnType>;
export type VoteColumn = keyof typeof VOTE_COLUMNS;

export function voteRow(doc: VoteFields): Record<VoteColumn, ColumnValue> {
  return {
    id: doc.id,
    ci_name: doc.ciName,
    ci_url: doc.ciUrl,
    ci_vote: doc.ciVote ? 1 : 0,
    ci_in_progress: doc.ciInProgress ? 1 : 0,
    timestamp: doc.timestamp,
    notes: doc.notes,
    user: doc.user,
  };
}
