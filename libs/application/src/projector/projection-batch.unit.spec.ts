import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProjectionDefinition, StoredDocument } from '#domain/projections/projection.js';
import type { RecordedEvent } from '#domain/shared/event.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { stageBatch, type CommittedReads, type ProjectionState } from './projection-batch.js';
import { StreamContexts } from './stream-contexts.js';

interface Count {
  readonly n: number;
}

/** Users by name: UserCreated counts one more, UserDeleted removes the document. */
const users: ProjectionDefinition<Count> = {
  name: 'user_counts',
  version: 1,
  eventTypes: ['UserCreated', 'UserDeleted'],
  keys: (event) => [(event.data as { username: string }).username],
  evolve: (doc, event) => (event.type === 'UserDeleted' ? null : { n: (doc?.n ?? 0) + 1 }),
  columns: {},
  row: () => ({}),
  indexes: [],
};

const event = (position: number, type: 'UserCreated' | 'UserDeleted', username: string): RecordedEvent => ({
  streamId: `user-${username}`,
  revision: position,
  position,
  type,
  data: { username },
  metadata: {
    schemaVersion: 1,
    eventId: `e${position}`,
    occurredAt: '2026-12-06T00:00:00Z',
    correlationId: 'c',
    causationId: null,
    actor: 'test',
  },
  recordedAt: '2026-12-06T00:00:00Z',
});

/** The store's committed documents, by key; the keys each read asked for are kept. */
function committed(documents: Record<string, StoredDocument<Count>> = {}) {
  const asked: string[][] = [];
  const reads: CommittedReads = {
    getDocuments: async <Doc>(_projection: ProjectionDefinition<Doc>, keys: readonly string[]) => {
      asked.push([...keys]);
      const found = new Map<string, StoredDocument<Doc>>();
      for (const key of keys) {
        const stored = documents[key];
        if (stored !== undefined) found.set(key, stored as unknown as StoredDocument<Doc>);
      }
      return found;
    },
  };
  return { reads, asked };
}

/**
 * One batch folded in memory (the projector's stage before a commit): which documents are
 * written, and, for a store keeping history, every version in log order.
 */
describe('a batch of the log, folded for one commit', () => {
  let events: SqliteEventStore;
  let streams: StreamContexts;
  beforeEach(() => {
    events = new SqliteEventStore(':memory:');
    streams = new StreamContexts(events);
  });
  afterEach(() => events.close());

  const state = (definition: ProjectionDefinition<Count> = users, checkpoint = 0): ProjectionState => ({
    definition: definition as ProjectionDefinition,
    checkpoint,
    stored: checkpoint,
  });
  const documentsOf = (staged: Awaited<ReturnType<typeof stageBatch>>) =>
    staged.writes.projections.map((p) => p.documents);

  describe('when a document that never had a row is made and removed within the batch', () => {
    const batch = [
      event(1, 'UserDeleted', 'ghost'),
      event(2, 'UserCreated', 'ghost'),
      event(3, 'UserCreated', 'ghost'),
      event(4, 'UserDeleted', 'ghost'),
      event(5, 'UserDeleted', 'ghost'),
    ];

    it('writes nothing for it: there is no row to delete', async () => {
      const staged = await stageBatch(committed().reads, streams, [state()], batch, 5);
      expect(documentsOf(staged)).toEqual([[]]);
      expect(staged.writes.projections[0]).toMatchObject({ from: 0, to: 5 });
    });

    it('keeps each version it had and its removal, for a store keeping history; none before it existed or after', async () => {
      const staged = await stageBatch(committed().reads, streams, [state()], batch, 5, true);
      expect(documentsOf(staged)).toEqual([
        [
          { key: 'ghost', doc: { n: 1 }, position: 2 },
          { key: 'ghost', doc: { n: 2 }, position: 3 },
          { key: 'ghost', doc: null, position: 4 },
        ],
      ]);
    });
  });

  describe('when a stored document is removed, then made again', () => {
    const stored = { alice: { key: 'alice', doc: { n: 5 }, position: 1 } };
    const batch = [event(2, 'UserDeleted', 'alice'), event(3, 'UserCreated', 'alice')];

    it('writes its last state only', async () => {
      const staged = await stageBatch(committed(stored).reads, streams, [state(users, 1)], batch, 3);
      expect(documentsOf(staged)).toEqual([[{ key: 'alice', doc: { n: 1 }, position: 3 }]]);
    });

    it('keeps its removal as a version, for a store keeping history', async () => {
      const staged = await stageBatch(committed(stored).reads, streams, [state(users, 1)], batch, 3, true);
      expect(documentsOf(staged)).toEqual([
        [
          { key: 'alice', doc: null, position: 2 },
          { key: 'alice', doc: { n: 1 }, position: 3 },
        ],
      ]);
    });

    it('writes its removal alone when the batch ends there', async () => {
      const staged = await stageBatch(committed(stored).reads, streams, [state(users, 1)], batch.slice(0, 1), 2);
      expect(documentsOf(staged)).toEqual([[{ key: 'alice', doc: null, position: 2 }]]);
    });
  });

  describe('when the last batch left a removed document in memory and it is removed again', () => {
    it('writes nothing, for either kind of store: there is no row to remove', async () => {
      for (const everyVersion of [false, true]) {
        const known: ProjectionState = {
          ...state(users, 4),
          documents: new Map([['ghost', { doc: null, position: 4 }]]),
        };
        const staged = await stageBatch(
          committed().reads,
          streams,
          [known],
          [event(5, 'UserDeleted', 'ghost')],
          5,
          everyVersion,
        );
        expect(documentsOf(staged)).toEqual([[]]);
      }
    });
  });

  describe('when events the document already holds come again (a redelivery)', () => {
    it('folds only the newer ones, for either kind of store', async () => {
      const stored = { bob: { key: 'bob', doc: { n: 2 }, position: 3 } };
      const batch = [event(2, 'UserCreated', 'bob'), event(3, 'UserCreated', 'bob'), event(4, 'UserCreated', 'bob')];
      for (const everyVersion of [false, true]) {
        const staged = await stageBatch(committed(stored).reads, streams, [state(users, 1)], batch, 4, everyVersion);
        expect(documentsOf(staged)).toEqual([[{ key: 'bob', doc: { n: 3 }, position: 4 }]]);
      }
    });

    it('writes nothing when it holds them all', async () => {
      const stored = { bob: { key: 'bob', doc: { n: 2 }, position: 3 } };
      const staged = await stageBatch(
        committed(stored).reads,
        streams,
        [state(users, 1)],
        [event(3, 'UserCreated', 'bob')],
        3,
      );
      expect(documentsOf(staged)).toEqual([[]]);
    });
  });

  describe('when the last batch left the documents in memory', () => {
    it('takes them from there without reading the store, and gives the next batch what it wrote', async () => {
      const { reads, asked } = committed();
      const first = state();
      const staged = await stageBatch(reads, streams, [first], [event(1, 'UserCreated', 'carol')], 1);
      expect(asked).toEqual([['carol']]);
      first.documents = staged.touched.get(first);
      first.checkpoint = 1;
      const next = await stageBatch(reads, streams, [first], [event(2, 'UserCreated', 'carol')], 2);
      expect(asked).toHaveLength(1);
      expect(documentsOf(next)).toEqual([[{ key: 'carol', doc: { n: 2 }, position: 2 }]]);
    });
  });

  describe('when an event names one document twice', () => {
    it('folds it into that document once', async () => {
      const twice: ProjectionDefinition<Count> = {
        ...users,
        keys: (e) => [...users.keys(e, { commit: null })].concat(users.keys(e, { commit: null })),
      };
      const staged = await stageBatch(committed().reads, streams, [state(twice)], [event(1, 'UserCreated', 'eve')], 1);
      expect(documentsOf(staged)).toEqual([[{ key: 'eve', doc: { n: 1 }, position: 1 }]]);
    });
  });

  describe('when a projection has its batch reducer', () => {
    it('folds each document once with it (not in a store keeping history, which needs each version)', async () => {
      const batched: string[][] = [];
      const withReducer: ProjectionDefinition<Count> = {
        ...users,
        evolveBatch: (doc, events, key) => {
          batched.push(events.map((e) => `${key}@${e.event.position}`));
          return { n: (doc?.n ?? 0) + 10 * events.length };
        },
      };
      const batch = [event(1, 'UserCreated', 'dan'), event(2, 'UserCreated', 'dan')];
      const staged = await stageBatch(committed().reads, streams, [state(withReducer)], batch, 2);
      expect(batched).toEqual([['dan@1', 'dan@2']]);
      expect(documentsOf(staged)).toEqual([[{ key: 'dan', doc: { n: 20 }, position: 2 }]]);
      const history = await stageBatch(committed().reads, streams, [state(withReducer)], batch, 2, true);
      expect(batched).toHaveLength(1);
      expect(documentsOf(history)).toEqual([
        [
          { key: 'dan', doc: { n: 1 }, position: 1 },
          { key: 'dan', doc: { n: 2 }, position: 2 },
        ],
      ]);
    });
  });

  describe('when a projection is already past the batch', () => {
    it('leaves it out of the writes', async () => {
      const staged = await stageBatch(committed().reads, streams, [state(users, 5)], [event(5, 'UserCreated', 'x')], 5);
      expect(staged.writes.projections).toEqual([]);
    });
  });
});
