import { schemaVersionOf } from '#domain/catalogue.js';
import { promotionDecider, type PromoteRepo, type PromotionState } from '#domain/promotion/promotion.decider.js';
import type { PromotionEvent, PromotionRolledBack, RepoPromoted } from '#domain/promotion/promotion.events.js';
import { ConcurrencyError, type EventStore, type StreamAppend } from '#domain/shared/event-store.port.js';
import type { DomainEvent, EventContext, EventPayload, RecordedEvent } from '#domain/shared/event.js';
import type { Clock, IdGenerator } from '#domain/shared/ports.js';
import { stampEvents } from '#domain/shared/stamp.js';

/** One item to record: the command for the promotion decider, on its name's stream. */
export interface PromotionItem {
  readonly streamId: string;
  readonly command: PromoteRepo;
}

export interface RecordedBatch {
  /** The events recorded, one per item, in the items' order. */
  readonly events: readonly RepoPromoted[];
  /** The streams written, each once, in the order of their first item. */
  readonly streamIds: readonly string[];
  /** Global position of the batch's last event: wait for the views to pass it. */
  readonly position: number;
}

// Each conflict means another writer of one of the names won a round, so N concurrent writers
// all get through within N rounds; API replicas are a handful.
const MAX_ATTEMPTS = 10;

/**
 * Records a batch of promotions all or nothing: every item is decided against its name's
 * stream as read (items of one name in order, each seeing the previous), then every stream is
 * appended in one atomic multi-stream append, each with the revision it was decided on. A
 * conflict on any name (another replica promoted it meanwhile) decides the whole batch again.
 */
export class PromotionBatchRecorder {
  constructor(
    private readonly store: EventStore,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  async record(items: readonly PromotionItem[], context: EventContext): Promise<RecordedBatch> {
    const streamIds = [...new Set(items.map((item) => item.streamId))];
    for (let attempt = 1; ; attempt++) {
      const states = new Map(await Promise.all(streamIds.map(async (id) => [id, await this.read(id)] as const)));
      const decided = new Map<string, EventPayload<PromotionEvent>[]>(streamIds.map((id) => [id, []]));
      for (const { streamId, command } of items) {
        const read = states.get(streamId)!;
        const payloads = promotionDecider.decide(command, read.state);
        decided.get(streamId)!.push(...payloads);
        states.set(streamId, { ...read, state: payloads.reduce(promotionDecider.evolve, read.state) });
      }
      const stamped = new Map(
        streamIds.map((id) => [
          id,
          stampEvents<PromotionEvent>(decided.get(id)!, context, {
            ids: this.ids,
            clock: this.clock,
            schemaVersion: schemaVersionOf,
          }),
        ]),
      );
      const appends: StreamAppend[] = streamIds.map((id) => ({
        streamId: id,
        events: stamped.get(id)!,
        expectedRevision: states.get(id)!.lastRevision ?? 'no_stream',
      }));
      try {
        const results = await this.store.appendToStreams(appends);
        // Every item decided exactly one RepoPromoted, in its stream's order.
        const next = new Map(streamIds.map((id) => [id, 0]));
        const events = items.map(({ streamId }) => {
          const index = next.get(streamId)!;
          next.set(streamId, index + 1);
          return stamped.get(streamId)![index] as RepoPromoted;
        });
        return { events, streamIds, position: Math.max(...results.map((r) => r.position)) };
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  /** A name's state is what its last event says: that event is all there is to read. */
  private async read(streamId: string): Promise<{ state: PromotionState; lastRevision: number | null }> {
    const [last] = await this.store.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    const payload = last === undefined ? null : promotionPayloadOf(last);
    const initial = promotionDecider.initialState();
    return {
      state: payload === null ? initial : promotionDecider.evolve(initial, payload),
      lastRevision: last?.revision ?? null,
    };
  }
}

function isOfType<E extends DomainEvent>(event: RecordedEvent, type: E['type']): event is RecordedEvent<E> {
  return event.type === type;
}

/** A promotion stream's event as its decider folds it (null: a type the stream does not hold). */
function promotionPayloadOf(event: RecordedEvent): EventPayload<PromotionEvent> | null {
  if (isOfType<RepoPromoted>(event, 'RepoPromoted')) return { type: 'RepoPromoted', data: event.data };
  if (isOfType<PromotionRolledBack>(event, 'PromotionRolledBack')) {
    return { type: 'PromotionRolledBack', data: event.data };
  }
  return null;
}
