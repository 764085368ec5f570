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

/** Undo a batch's promotions of one name, because a later item of the batch failed. */
export interface RollBackPromotion {
  readonly type: 'RollBackPromotion';
  readonly data: {
    /** Revision of the batch's last RepoPromoted in this stream (what its append answered). */
    readonly revision: number;
    readonly promotionEventIds: readonly string[];
    /** The promotion in force before the batch (the stream's event before it); null: none. */
    readonly restored: RepoPromoted['data'] | null;
    readonly timestamp: number;
    readonly user: string | null;
  };
}

export type PromotionCommand = PromoteRepo | RollBackPromotion;

/** Where the name points according to the log. */
export interface PromotionState {
  /** Revision of the stream's last event; -1 for a name never promoted. */
  readonly revision: number;
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
    case 'RollBackPromotion': {
      // Someone promoted the name after us: theirs stands, ours is no longer in force anyway.
      if (state.revision !== command.data.revision || state.repoDir === null || state.promotionName === null) {
        return [];
      }
      const data: PromotionRolledBack['data'] = {
        promotionName: state.promotionName,
        component: state.component,
        promotionEventIds: command.data.promotionEventIds,
        rolledBackRepoDir: state.repoDir,
        repoDir: command.data.restored?.repoDir ?? null,
        restored: command.data.restored,
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
        component: event.data.component,
      };
    case 'PromotionRolledBack':
      return {
        revision: state.revision + 1,
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
 * API replicas) are serialized by the store and each records what it really replaced.
 */
export const promotionDecider: Decider<PromotionCommand, PromotionState, PromotionEvent> = {
  decide,
  evolve,
  initialState: () => ({ revision: -1, promotionName: null, repoDir: null, component: null }),
};
