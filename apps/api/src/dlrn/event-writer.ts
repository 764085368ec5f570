import { Inject, Injectable } from '@nestjs/common';
import { schemaVersionOf } from '#domain/catalogue.js';
import type { Decider } from '#domain/shared/decider.js';
import { EventStore } from '#domain/shared/event-store.port.js';
import type { DomainEvent, EventPayload } from '#domain/shared/event.js';
import { Clock, IdGenerator } from '#domain/shared/ports.js';
import { stampEvents } from '#domain/shared/stamp.js';
import { DeciderCommandHandler, type HandleResult } from '#infrastructure/event-store/decider-command-handler.js';
import { ViewVersion } from '../views/view-version.js';

/** Appends what an API call decided, then waits (bounded) until the views show it. */
@Injectable()
export class EventWriter {
  // Ten tries: each conflict means another writer won a round, so N concurrent writers of one
  // stream all get through within N rounds; API replicas are a handful.
  private readonly handler: DeciderCommandHandler;

  constructor(
    @Inject(EventStore) private readonly store: EventStore,
    @Inject(IdGenerator) private readonly ids: IdGenerator,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(ViewVersion) private readonly views: ViewVersion,
  ) {
    this.handler = new DeciderCommandHandler(store, ids, clock, 10);
  }

  /**
   * The one write path for a stream with invariants: read, decide, append with the revision read,
   * decide again on a conflict; then wait (bounded) for the views unless told not to.
   */
  async decide<C, S, E extends DomainEvent>(
    streamId: string,
    decider: Decider<C, S, E>,
    command: C,
    actor: string | null,
    options: { readonly wait?: boolean } = {},
  ): Promise<HandleResult<E>> {
    const result = await this.handler.handle(streamId, decider, command, {
      correlationId: this.ids.next(),
      causationId: null,
      actor: actor ?? 'anonymous',
      trigger: 'api',
    });
    if (result.append !== null && options.wait !== false) await this.views.waitFor(result.append.position);
    return result;
  }

  now(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }

  /** Waits (bounded) until the views have passed `position`. */
  async waitForViews(position: number): Promise<void> {
    await this.views.waitFor(position);
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
