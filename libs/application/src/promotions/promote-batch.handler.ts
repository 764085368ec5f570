import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Promoter, type PromotionOutcome } from './promoter.js';
import type { PromotionRequest } from './promotion-plan.js';

/**
 * `POST /api/promote-batch`: several promotions, all or none. Every item is checked first and
 * the batch is recorded in one atomic append, so a refusal leaves no item in the log.
 */
export class PromoteBatchCommand extends Command<PromotionOutcome> {
  constructor(
    readonly requests: readonly PromotionRequest[],
    readonly user: string | null,
  ) {
    super();
  }
}

@CommandHandler(PromoteBatchCommand)
export class PromoteBatchHandler implements ICommandHandler<PromoteBatchCommand, PromotionOutcome> {
  constructor(@Inject(Promoter) private readonly promoter: Promoter) {}

  execute({ requests, user }: PromoteBatchCommand): Promise<PromotionOutcome> {
    return this.promoter.promote(requests, user, true);
  }
}
