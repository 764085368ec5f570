import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import {
  deliveriesProjection,
  ReadModelStore,
  type DeliveryDoc,
  type DeliveryDocState,
} from '#domain/projections/index.js';

export interface DeliveryFilters {
  readonly state: DeliveryDocState | null;
  readonly eventType: string | null;
  /** The delivered event's stream (the CloudEvent `subject`). */
  readonly subject: string | null;
  readonly limit: number;
  /** Cursor: only deliveries that first failed before this log position. */
  readonly before: number | null;
}

export interface DeliveriesPage {
  readonly deliveries: readonly DeliveryDoc[];
  /** The cursor of the next page; null on the last. */
  readonly nextBefore: number | null;
}

/** `GET /api/deliveries`: the outgoing webhook's failed deliveries (retrying, dead letters, redeliveries), newest first. */
export class DeliveriesQuery extends Query<DeliveriesPage> {
  constructor(readonly filters: DeliveryFilters) {
    super();
  }
}

@QueryHandler(DeliveriesQuery)
export class DeliveriesHandler implements IQueryHandler<DeliveriesQuery, DeliveriesPage> {
  constructor(@Inject(ReadModelStore) private readonly store: ReadModelStore) {}

  async execute({ filters }: DeliveriesQuery): Promise<DeliveriesPage> {
    const where = {
      ...(filters.state === null ? {} : { state: filters.state }),
      ...(filters.eventType === null ? {} : { event_type: filters.eventType }),
      ...(filters.subject === null ? {} : { subject: filters.subject }),
    };
    const rows = await this.store.find(deliveriesProjection, {
      where,
      ...(filters.before === null ? {} : { range: { first_failure_position: { lt: filters.before } } }),
      orderBy: [{ column: 'first_failure_position', direction: 'desc' }],
      limit: filters.limit + 1,
    });
    const page = rows.slice(0, filters.limit).map((row) => row.doc);
    const last = page[page.length - 1];
    return { deliveries: page, nextBefore: rows.length > filters.limit && last ? last.firstFailurePosition : null };
  }
}
