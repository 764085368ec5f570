import { resolve } from 'node:path';
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

/**
 * A store named by its URL alone (`dlrn events copy --from/--to`), as `[service] event_store`
 * takes it: `sqlite:///<path>` (relative to `baseDir`), `postgresql://…` or `postgres://…`,
 * `kurrentdb://…` or `esdb://…`. Throws a RangeError naming the URL otherwise.
 */
export function eventStoreTargetFromUrl(url: string, baseDir: string): EventStoreTarget {
  if (/^sqlite:\/\/\/.+/.test(url)) {
    const rest = url.slice('sqlite:///'.length);
    const path = rest === ':memory:' ? rest : resolve(baseDir, rest);
    return { kind: 'sqlite', url: `sqlite:///${path}`, path };
  }
  if (/^postgres(ql)?:\/\/.+/.test(url)) return { kind: 'postgresql', url };
  if (/^(kurrentdb|esdb):\/\/.+/.test(url)) return { kind: 'kurrentdb', url };
  throw new RangeError(
    `'${url}' is not an event store URL: expected sqlite:///<path>, postgresql://…, kurrentdb://… or esdb://…`,
  );
}
