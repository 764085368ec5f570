import { BuildHistory } from '#domain/build/build-history.js';
import { upcast } from '#domain/catalogue.js';
import type { EventStore } from '#domain/shared/event-store.port.js';

const PAGE = 5000;

/** Keeps a BuildHistory up to date with the store: reads what was appended since last time. */
export class BuildHistoryReader {
  readonly history = new BuildHistory();

  constructor(private readonly store: EventStore) {}

  async catchUp(): Promise<BuildHistory> {
    for (;;) {
      const events = await this.store.readAll({
        after: this.history.checkpoint,
        maxCount: PAGE,
        filter: { streamPrefixes: ['build-', 'package-'] },
      });
      for (const event of events) this.history.apply(upcast(event));
      if (events.length < PAGE) return this.history;
    }
  }
}
