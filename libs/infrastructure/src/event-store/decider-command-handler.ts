import { upcast, schemaVersionOf } from '#domain/catalogue.js';
import type { Decider } from '#domain/shared/decider.js';
import { ConcurrencyError, type AppendResult, type EventStore } from '#domain/shared/event-store.port.js';
import type { DomainEvent, EventContext, EventPayload } from '#domain/shared/event.js';
import type { Clock, IdGenerator } from '#domain/shared/ports.js';
import { stampEvents } from '#domain/shared/stamp.js';

export interface HandleResult<E extends DomainEvent> {
  readonly events: readonly E[];
  /** Absent when the decider decided nothing (an idempotent repeat). */
  readonly append: AppendResult | null;
}

/**
 * Runs a command against one stream: read, fold, decide, append with the revision that was
 * read. A concurrent writer makes the append fail; the command is then decided again on the
 * fresh state, a bounded number of times, so deciders see every write before theirs.
 */
export class DeciderCommandHandler {
  constructor(
    private readonly store: EventStore,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly maxAttempts = 5,
  ) {}

  async handle<C, S, E extends DomainEvent>(
    streamId: string,
    decider: Decider<C, S, E>,
    command: C,
    context: EventContext,
  ): Promise<HandleResult<E>> {
    for (let attempt = 1; ; attempt++) {
      const stored = await this.store.readStream(streamId);
      let state = decider.initialState();
      for (const event of stored) state = decider.evolve(state, upcast(event) as unknown as EventPayload<E>);
      const payloads = decider.decide(command, state);
      if (payloads.length === 0) return { events: [], append: null };
      const events = stampEvents<E>(payloads, context, {
        ids: this.ids,
        clock: this.clock,
        schemaVersion: schemaVersionOf,
      });
      const last = stored[stored.length - 1];
      try {
        const append = await this.store.append(streamId, events, {
          expectedRevision: last === undefined ? 'no_stream' : last.revision,
        });
        return { events, append };
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= this.maxAttempts) throw error;
      }
    }
  }
}
