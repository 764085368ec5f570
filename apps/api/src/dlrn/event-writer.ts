import { Inject, Injectable } from '@nestjs/common';
import { schemaVersionOf } from '#domain/catalogue.js';
import { EventStore } from '#domain/shared/event-store.port.js';
import type { DomainEvent, EventPayload } from '#domain/shared/event.js';
import { Clock, IdGenerator } from '#domain/shared/ports.js';
import { stampEvents } from '#domain/shared/stamp.js';
import { ViewVersion } from '../views/view-version.js';

/** Appends what an API call decided, then waits (bounded) until the views show it. */
@Injectable()
export class EventWriter {
  constructor(
    @Inject(EventStore) private readonly store: EventStore,
    @Inject(IdGenerator) private readonly ids: IdGenerator,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(ViewVersion) private readonly views: ViewVersion,
  ) {}

  now(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }

  async append<E extends DomainEvent>(
    streamId: string,
    payloads: readonly EventPayload<E>[],
    actor: string | null,
    options: { readonly wait?: boolean } = {},
  ): Promise<number> {
    const events = stampEvents<E>(
      payloads,
      { correlationId: this.ids.next(), causationId: null, actor: actor ?? 'anonymous', trigger: 'api' },
      { ids: this.ids, clock: this.clock, schemaVersion: schemaVersionOf },
    );
    const { position } = await this.store.append(streamId, events);
    if (options.wait !== false) await this.views.waitFor(position);
    return position;
  }
}
