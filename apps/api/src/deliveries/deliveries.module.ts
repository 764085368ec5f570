import { Module } from '@nestjs/common';
import { DeliveriesHandler } from '#application/outbox/deliveries.query.js';
import { RedeliverHandler } from '#application/outbox/redeliver.command.js';
import { DeliveriesHttpController } from './deliveries.http.controller.js';

/**
 * `GET /api/deliveries` and `POST /api/deliveries/{id}/redeliver`. Needs the global
 * ReadModelStore, DeciderCommandHandler, ViewVersion and the CqrsModule.
 */
@Module({
  controllers: [DeliveriesHttpController],
  providers: [DeliveriesHandler, RedeliverHandler],
})
export class DeliveriesModule {}
