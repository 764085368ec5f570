// Run as a separate process by the SQLite store tests: appends one event to the given file.
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { testEvent } from './events.js';

const file = process.argv[2];
if (!file) throw new Error('usage: append-one.ts <events.sqlite>');
const store = new SqliteEventStore(file);
await store.append('package-remote', [testEvent('FromAnotherProcess')]);
await store.close();
