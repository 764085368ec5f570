import type { Decider } from '../shared/decider.js';
import { DomainError } from '../shared/errors.js';
import type { EventPayload } from '../shared/event.js';
import { promotionNameProblem } from './promotion-name.js';
import type { PromotionEvent, PromotionRolledBack, RepoPromoted } from './promotion.events.js';

/** Point a promotion name at a repository (`POST /api/promote`, one item of a batch). */
export interface PromoteRepo {
  readonly type: 'PromoteRepo';
  /** What to record; `previousRepoDir` is the decider's to fill, from the stream. */
  readonly data: Omit<RepoPromoted['data'], 'previousRepoDir'>;
}

/** Undo one promotion of a batch whose later items could not be recorded. */
export interface RollBackPromotion {
  readonly type: 'RollBackPromotion';
  readonly data: {
    /** Revision of the RepoPromoted to undo in this stream (what its append answered). */
    readonly revision: number;
    readonly promotionEventId: string;
    readonly timestamp: number;
    readonly user: string | null;
  };
}

export type PromotionCommand = PromoteRepo | RollBackPromotion;

/** Where the name points according to the log, and what it pointed at before. */
export interface PromotionState {
  /** Revision of the stream's last event; -1 for a name never promoted. */
  readonly revision: number;
  /** The name, as its events record it (null before the first). */
  readonly promotionName: string | null;
  readonly repoDir: string | null;
  readonly previousRepoDir: string | null;
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
    case 'RollBackPromotion': {
      // Someone promoted the name after us: theirs stands, ours is no longer in force anyway.
      if (state.revision !== command.data.revision || state.repoDir === null || state.promotionName === null) {
        return [];
      }
      const data: PromotionRolledBack['data'] = {
        promotionName: state.promotionName,
        component: state.component,
        promotionEventId: command.data.promotionEventId,
        rolledBackRepoDir: state.repoDir,
        repoDir: state.previousRepoDir,
        timestamp: command.data.timestamp,
        user: command.data.user,
      };
      return [{ type: 'PromotionRolledBack', data }];
    }
    default: {
      const unknown: never = command;
      throw new DomainError('UNKNOWN_COMMAND', `unknown promotion command ${JSON.stringify(unknown)}`);
    }
  }
}

function evolve(state: PromotionState, event: EventPayload<PromotionEvent>): PromotionState {
  switch (event.type) {
    case 'RepoPromoted':
      return {
        revision: state.revision + 1,
        promotionName: event.data.promotionName,
        repoDir: event.data.repoDir,
        previousRepoDir: state.repoDir,
        component: event.data.component,
      };
    case 'PromotionRolledBack':
      return {
        revision: state.revision + 1,
        promotionName: event.data.promotionName,
        repoDir: event.data.repoDir,
        // What the name pointed at before the undone promotion is not kept: one undo only.
        previousRepoDir: null,
        component: event.data.component,
      };
    default:
      return state;
  }
}

/**
 * One promotion name's stream (`promotion-<name>[@component/<c>]`): every promotion of a name
 * is appended with the revision it was decided on, so concurrent promotions of one name (two
 * API replicas) are serialized by the store and each records what it really replaced.
 */
export const promotionDecider: Decider<PromotionCommand, PromotionState, PromotionEvent> = {
  decide,
  evolve,
  initialState: () => ({ revision: -1, promotionName: null, repoDir: null, previousRepoDir: null, component: null }),
};
