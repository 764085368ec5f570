import type { EventStore } from '#domain/shared/event-store.port.js';
import type { EventStoreTarget } from '../config/index.js';
import { SqliteEventStore } from './sqlite/sqlite-event-store.adapter.js';

/**
 * Opens the event store the configuration names: the embedded SQLite file (default), a
 * PostgreSQL database (schema created or migrated on open) or a KurrentDB cluster. The KurrentDB
 * client (gRPC, native bridge) is loaded only when asked for.
 */
export async function openEventStore(target: EventStoreTarget): Promise<EventStore> {
  switch (target.kind) {
    case 'sqlite':
      return new SqliteEventStore(target.path);
    case 'postgresql': {
      const { PostgresEventStore } = await import('./postgres/postgres-event-store.adapter.js');
      return PostgresEventStore.open(target.url);
    }
    case 'kurrentdb': {
      const { KurrentDbEventStore } = await import('./kurrentdb/kurrentdb-event-store.adapter.js');
      return KurrentDbEventStore.fromConnectionString(target.url);
    }
  }
}
