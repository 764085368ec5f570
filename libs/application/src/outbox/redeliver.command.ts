import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { deliveryDecider } from '#domain/delivery/delivery.decider.js';
import { deliveryStreamId } from '#domain/delivery/delivery.events.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';

/**
 * `POST /api/deliveries/{id}/redeliver`: asks the sender (wherever it runs) to send a
 * dead-lettered delivery again. Throws DeliveryRuleError (DELIVERY_NOT_FOUND,
 * DELIVERY_NOT_DEAD_LETTERED). Asking twice before it is sent records nothing the second time.
 */
export class RedeliverCommand extends Command<{ readonly position: number | null }> {
  constructor(
    readonly deliveryId: string,
    readonly user: string | null,
  ) {
    super();
  }
}

@CommandHandler(RedeliverCommand)
export class RedeliverHandler implements ICommandHandler<RedeliverCommand, { position: number | null }> {
  constructor(@Inject(DeciderCommandHandler) private readonly commands: DeciderCommandHandler) {}

  async execute({ deliveryId, user }: RedeliverCommand): Promise<{ position: number | null }> {
    const { append } = await this.commands.handle(
      deliveryStreamId(deliveryId),
      deliveryDecider,
      { type: 'RequestRedelivery', deliveryId },
      { correlationId: deliveryId, causationId: null, actor: user ?? 'anonymous', trigger: 'api' },
    );
    return { position: append?.position ?? null };
  }
}
