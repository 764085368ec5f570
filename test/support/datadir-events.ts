import { join } from 'node:path';
import type { RecordedEvent } from '#domain/shared/event.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';

/** Every event of `<datadir>/events.sqlite`, in log order: what the `dlrn` runs on that datadir recorded. */
export async function datadirEvents(datadir: string): Promise<RecordedEvent[]> {
  const store = new SqliteEventStore(join(datadir, 'events.sqlite'));
  try {
    return await store.readAll({ maxCount: 100_000 });
  } finally {
    await store.close();
  }
}
