import { Inject, Injectable } from '@nestjs/common';
import { EventStore } from '#domain/shared/event-store.port.js';
import type { RecordedEvent } from '#domain/shared/event.js';
import { compileHistoryFilter, type HistoryFilter } from './history-filter.js';

/** A live feed of the log: every matching event after a position, then each new one, until closed. */
export interface HistoryFeed extends AsyncIterable<readonly RecordedEvent[]> {
  /** Stops the store subscription (idempotent); the iteration ends. */
  close(): Promise<void>;
}

/**
 * `GET /api/events/stream`: the global log followed live through the store's catch-up
 * subscription (history after `after`, then appends), filtered exactly as `/api/events` is, so
 * a client resuming after the last position it saw misses nothing and sees nothing twice.
 */
@Injectable()
export class LiveHistory {
  private open = 0;

  constructor(@Inject(EventStore) private readonly events: EventStore) {}

  /** Feeds followed and not closed yet: each holds a store subscription. */
  get following(): number {
    return this.open;
  }

  /** `after` null: from the head of the log now (only what is appended from here on). */
  async follow(after: number | null, filter: HistoryFilter, maxBatchSize = 100): Promise<HistoryFeed> {
    const { store, accepts } = compileHistoryFilter(filter);
    const from = after ?? (await this.events.headPosition());
    const subscription = this.events.subscribeToAll({ after: from, filter: store, maxBatchSize });
    this.open += 1;
    let closed = false;
    return {
      close: async () => {
        if (closed) return;
        closed = true;
        this.open -= 1;
        await subscription.close();
      },
      async *[Symbol.asyncIterator]() {
        for await (const batch of subscription) {
          const events = batch.events.filter(accepts);
          if (events.length > 0) yield events;
        }
      },
    };
  }
}
