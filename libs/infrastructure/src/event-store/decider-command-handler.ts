import { schemaVersionOf } from '#domain/catalogue.js';
import type { Decider } from '#domain/shared/decider.js';
import { ConcurrencyError, type AppendResult, type EventStore } from '#domain/shared/event-store.port.js';
import type { DomainEvent, EventContext, EventPayload, RecordedEvent } from '#domain/shared/event.js';
import type { Clock, IdGenerator } from '#domain/shared/ports.js';
import { stampEvents } from '#domain/shared/stamp.js';

export interface HandleResult<E extends DomainEvent> {
  readonly events: readonly E[];
  /** Absent when the decider decided nothing (an idempotent repeat). */
  readonly append: AppendResult | null;
}

export interface HandleOptions {
  /**
   * The decider's state depends on the stream's last `tail` events only (a pointer's last move):
   * read those, from the end, instead of the whole stream.
   */
  readonly tail?: number;
  /**
   * The decision holds however far the stream moved since it was read, as long as it exists
   * (votes: their stream's identity is all the decider checks, and votes commute): append with
   * `stream_exists` rather than the revision read, so concurrent writers do not conflict.
   */
  readonly commutative?: boolean;
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
    options: HandleOptions = {},
  ): Promise<HandleResult<E>> {
    for (let attempt = 1; ; attempt++) {
      const stored = await this.read(streamId, options.tail);
      let state = decider.initialState();
      // The store hands events over upcast; the stream holds this decider's events only.
      for (const event of stored) state = decider.evolve(state, event as unknown as EventPayload<E>);
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
          expectedRevision: last === undefined ? 'no_stream' : options.commutative ? 'stream_exists' : last.revision,
        });
        return { events, append };
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= this.maxAttempts) throw error;
      }
    }
  }

  private async read(streamId: string, tail: number | undefined): Promise<RecordedEvent[]> {
    if (tail === undefined) return this.store.readStream(streamId);
    const last = await this.store.readStream(streamId, { direction: 'backwards', maxCount: tail });
    return last.reverse();
  }
}
