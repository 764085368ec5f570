import type { Decider } from '../shared/decider.js';
import { DomainError } from '../shared/errors.js';
import type { EventPayload } from '../shared/event.js';
import { promotionNameProblem } from './promotion-name.js';
import type { PromotionEvent, RepoPromoted } from './promotion.events.js';

/** Point a promotion name at a repository (`POST /api/promote`, one item of a batch). */
export interface PromoteRepo {
  readonly type: 'PromoteRepo';
  /** What to record; `previousRepoDir` is the decider's to fill, from the stream. */
  readonly data: Omit<RepoPromoted['data'], 'previousRepoDir'>;
}

export type PromotionCommand = PromoteRepo;

/** Where the name points according to the log: what its stream's last event says. */
export interface PromotionState {
  /** The name, as its events record it (null before the first). */
  readonly promotionName: string | null;
  readonly repoDir: string | null;
  readonly component: string | null;
}

/** The promotion name itself is unusable (reserved, or not a single path segment). */
export class InvalidPromotionNameError extends DomainError {
  constructor(readonly promotionName: string) {
    super('INVALID_PROMOTION_NAME', `Invalid promote_name ${promotionName}`, { promotionName });
  }
}

function decide(command: PromotionCommand, state: PromotionState): readonly EventPayload<PromotionEvent>[] {
  switch (command.type) {
    case 'PromoteRepo': {
      if (promotionNameProblem(command.data.promotionName) !== null) {
        throw new InvalidPromotionNameError(command.data.promotionName);
      }
      // Promoting the same repository again is recorded again, as DLRN inserts a row each time.
      return [{ type: 'RepoPromoted', data: { ...command.data, previousRepoDir: state.repoDir } }];
    }
    default: {
      const unknown: never = command.type;
      throw new DomainError('UNKNOWN_COMMAND', `unknown promotion command ${JSON.stringify(unknown)}`);
    }
  }
}

function evolve(state: PromotionState, event: EventPayload<PromotionEvent>): PromotionState {
  switch (event.type) {
    // Stryker disable next-line ConditionalExpression: equivalent: without this case a RepoPromoted falls through to the next, which folds the same three fields
    case 'RepoPromoted':
      return {
        promotionName: event.data.promotionName,
        repoDir: event.data.repoDir,
        component: event.data.component,
      };
    case 'PromotionRolledBack':
      // Recorded by earlier versions, which undid a batch stream by stream; still folded.
      return {
        promotionName: event.data.promotionName,
        repoDir: event.data.repoDir,
        component: event.data.component,
      };
    default:
      return state;
  }
}

/**
 * One promotion name's stream (`promotion-<name>[@component/<c>]`): every promotion of a name
 * is appended with the revision it was decided on, so concurrent promotions of one name (two
 * API replicas) are serialized by the store and each records what it really replaced. A batch
 * decides each item on its name's stream and appends them all in one multi-stream append.
 */
export const promotionDecider: Decider<PromotionCommand, PromotionState, PromotionEvent> = {
  decide,
  evolve,
  initialState: () => ({ promotionName: null, repoDir: null, component: null }),
};
