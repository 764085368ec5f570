import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Promoter, type PromotionOutcome } from './promoter.js';
import type { PromotionRequest } from './promotion-plan.js';

/** `POST /api/promote`: point a promotion name at a successfully built repo. */
export class PromoteCommand extends Command<PromotionOutcome> {
  constructor(
    readonly request: PromotionRequest,
    readonly user: string | null,
  ) {
    super();
  }
}

@CommandHandler(PromoteCommand)
export class PromoteHandler implements ICommandHandler<PromoteCommand, PromotionOutcome> {
  constructor(@Inject(Promoter) private readonly promoter: Promoter) {}

  execute({ request, user }: PromoteCommand): Promise<PromotionOutcome> {
    return this.promoter.promote([request], user, false);
  }
}
