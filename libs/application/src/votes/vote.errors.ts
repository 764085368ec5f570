import { DomainError } from '#domain/shared/errors.js';

export type VoteRefusal = 'NO_VOTE_FOUND' | 'COMMIT_NOT_FOUND' | 'AGGREGATE_HASH_NOT_FOUND';

const MESSAGES: Record<VoteRefusal, string> = {
  NO_VOTE_FOUND: 'No vote found',
  COMMIT_NOT_FOUND: 'commit_hash+distro_hash+extended_hash combination not found',
  AGGREGATE_HASH_NOT_FOUND: 'aggregate_hash not found',
};

/** A vote (or the search for one) names nothing the views know; DLRN's message, word for word. */
export class VoteRefusedError extends DomainError {
  constructor(code: VoteRefusal) {
    super(code, MESSAGES[code]);
  }
}
