import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConcurrencyError,
  DuplicateEventIdError,
  ImportOrderError,
  type EventStore,
  type Subscription,
  type SubscriptionBatch,
} from '#domain/shared/event-store.port.js';
import type { RecordedEvent } from '#domain/shared/event.js';
import { testEvent, uniqueCategory } from '../support/events.js';

export interface EventStoreFixture {
  /** A store; may be called several times to get independent clients of the same log. */
  open(): Promise<EventStore>;
  /** A new, empty log of its own (for `importRecorded`); a shared server has none to give. */
  openEmpty?(): Promise<EventStore>;
  teardown(): Promise<void>;
}

/**
 * The behaviour every EventStore adapter must have. Written once, run against each adapter
 * (SQLite always; KurrentDB when KURRENTDB_CONNECTION_STRING is set). Tests never assume an
 * empty log or contiguous positions: a shared server holds other events too.
 */
/** What an adapter's server can and cannot check; the suite skips (visibly) what it cannot. */
export interface EventStoreCapabilities {
  /** KurrentDB does not notice an event id reused in another stream. */
  readonly detectsEventIdReuseAcrossStreams?: boolean;
  /** KurrentDB assigns positions and commit times itself: it refuses `importRecorded`. */
  readonly importsRecorded?: boolean;
}

export function describeEventStoreContract(
  name: string,
  makeFixture: () => Promise<EventStoreFixture>,
  capabilities: EventStoreCapabilities = {},
): void {
  describe(`EventStore contract: ${name}`, () => {
    let fixture: EventStoreFixture;
    let store: EventStore;

    beforeAll(async () => {
      fixture = await makeFixture();
      store = await fixture.open();
    });
    afterAll(async () => {
      await store.close();
      await fixture.teardown();
    });

    async function nextBatch(iterator: AsyncIterator<SubscriptionBatch>, want: (b: SubscriptionBatch) => boolean) {
      for (;;) {
        const next = await iterator.next();
        if (next.done) throw new Error('subscription ended');
        if (want(next.value)) return next.value;
      }
    }

    async function collect(subscription: Subscription, count: number, prefix: string): Promise<RecordedEvent[]> {
      const seen: RecordedEvent[] = [];
      const iterator = subscription[Symbol.asyncIterator]();
      while (seen.length < count) {
        const batch = await nextBatch(iterator, () => true);
        seen.push(...batch.events.filter((e) => e.streamId.startsWith(prefix)));
      }
      return seen;
    }

    describe('when appending to a stream that does not exist', () => {
      it('accepts no_stream and numbers the events from revision 0', async () => {
        const stream = `${uniqueCategory('order')}-1`;
        const result = await store.append(stream, [testEvent('A'), testEvent('B')], { expectedRevision: 'no_stream' });
        expect(result.nextExpectedRevision).toBe(1);
        const events = await store.readStream(stream);
        expect(events.map((e) => [e.type, e.revision])).toEqual([
          ['A', 0],
          ['B', 1],
        ]);
        expect(events[1]!.position).toBe(result.position);
        expect(events[0]!.position).toBeLessThan(events[1]!.position);
      });

      it('refuses stream_exists with a ConcurrencyError naming the stream', async () => {
        const stream = `${uniqueCategory('order')}-1`;
        const attempt = store.append(stream, [testEvent('A')], { expectedRevision: 'stream_exists' });
        await expect(attempt).rejects.toBeInstanceOf(ConcurrencyError);
        await expect(attempt).rejects.toMatchObject({ streamId: stream, code: 'STREAM_REVISION_CONFLICT' });
        expect(await store.readStream(stream)).toEqual([]);
      });

      it('refuses an exact revision', async () => {
        const stream = `${uniqueCategory('order')}-1`;
        await expect(store.append(stream, [testEvent('A')], { expectedRevision: 0 })).rejects.toBeInstanceOf(
          ConcurrencyError,
        );
      });
    });

    describe('when appending to a stream that exists', () => {
      it('refuses no_stream and keeps the stream unchanged', async () => {
        const stream = `${uniqueCategory('order')}-1`;
        await store.append(stream, [testEvent('A')]);
        const attempt = store.append(stream, [testEvent('B')], { expectedRevision: 'no_stream' });
        await expect(attempt).rejects.toMatchObject({ actual: 0 });
        expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['A']);
      });

      it('accepts the exact last revision and stream_exists, refuses a stale one', async () => {
        const stream = `${uniqueCategory('order')}-1`;
        await store.append(stream, [testEvent('A')]);
        await store.append(stream, [testEvent('B')], { expectedRevision: 0 });
        await store.append(stream, [testEvent('C')], { expectedRevision: 'stream_exists' });
        await expect(store.append(stream, [testEvent('D')], { expectedRevision: 1 })).rejects.toMatchObject({
          expected: 1,
          actual: 2,
        });
        expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['A', 'B', 'C']);
      });

      it('accepts any without a check', async () => {
        const stream = `${uniqueCategory('order')}-1`;
        await store.append(stream, [testEvent('A')], { expectedRevision: 'any' });
        const result = await store.append(stream, [testEvent('B')], { expectedRevision: 'any' });
        expect(result.nextExpectedRevision).toBe(1);
      });
    });

    describe('when two writers race for the same revision', () => {
      it('lets exactly one of them win', async () => {
        const stream = `${uniqueCategory('claim')}-1`;
        const other = await fixture.open();
        try {
          await store.append(stream, [testEvent('Discovered')]);
          const outcomes = await Promise.allSettled([
            store.append(stream, [testEvent('Claimed', { by: 'a' })], { expectedRevision: 0 }),
            other.append(stream, [testEvent('Claimed', { by: 'b' })], { expectedRevision: 0 }),
          ]);
          expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
          const rejected = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
          expect(rejected.reason).toBeInstanceOf(ConcurrencyError);
          expect(await store.readStream(stream)).toHaveLength(2);
        } finally {
          await other.close();
        }
      });
    });

    describe('when the same events are appended again', () => {
      it('is a no-op returning the original result', async () => {
        const stream = `${uniqueCategory('idem')}-1`;
        const batch = [testEvent('A'), testEvent('B')];
        const first = await store.append(stream, batch, { expectedRevision: 'no_stream' });
        const again = await store.append(stream, batch, { expectedRevision: 'no_stream' });
        expect(again).toEqual(first);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it.skipIf(capabilities.detectsEventIdReuseAcrossStreams === false)(
        'refuses an event id already stored in another stream',
        async () => {
          const category = uniqueCategory('idem');
          const event = testEvent('A');
          await store.append(`${category}-1`, [event]);
          await expect(store.append(`${category}-2`, [event])).rejects.toBeInstanceOf(DuplicateEventIdError);
          expect(await store.readStream(`${category}-2`)).toEqual([]);
        },
      );
    });

    describe('when appending to several streams at once', () => {
      it('records every part, each with its own revision and last position', async () => {
        const category = uniqueCategory('multi');
        await store.append(`${category}-old`, [testEvent('Before')]);
        const results = await store.appendToStreams([
          { streamId: `${category}-new`, events: [testEvent('A'), testEvent('B')], expectedRevision: 'no_stream' },
          { streamId: `${category}-old`, events: [testEvent('C')], expectedRevision: 0 },
        ]);
        expect(results.map((r) => r.nextExpectedRevision)).toEqual([1, 1]);
        const fresh = await store.readStream(`${category}-new`);
        const old = await store.readStream(`${category}-old`);
        expect(fresh.map((e) => e.type)).toEqual(['A', 'B']);
        expect(old.map((e) => e.type)).toEqual(['Before', 'C']);
        expect(results[0]!.position).toBe(fresh[1]!.position);
        expect(results[1]!.position).toBe(old[1]!.position);
        expect(fresh[0]!.metadata).toEqual(
          expect.objectContaining({ schemaVersion: 1, causationId: null, actor: 'test' }),
        );
      });

      it('appends nothing on any stream when one expected revision is wrong', async () => {
        const category = uniqueCategory('multi');
        await store.append(`${category}-b`, [testEvent('Before')]);
        const before = await store.headPosition();
        const attempt = store.appendToStreams([
          { streamId: `${category}-a`, events: [testEvent('A')], expectedRevision: 'no_stream' },
          { streamId: `${category}-b`, events: [testEvent('B')], expectedRevision: 5 },
        ]);
        await expect(attempt).rejects.toBeInstanceOf(ConcurrencyError);
        await expect(attempt).rejects.toMatchObject({ streamId: `${category}-b` });
        expect(await store.readStream(`${category}-a`)).toEqual([]);
        expect((await store.readStream(`${category}-b`)).map((e) => e.type)).toEqual(['Before']);
        const after = await store.readAll({ after: before, filter: { streamPrefixes: [`${category}-`] } });
        expect(after).toEqual([]);
      });

      it('serializes concurrent callers: one wins whole, the other writes nothing', async () => {
        const category = uniqueCategory('multi');
        const other = await fixture.open();
        try {
          const batch = (by: string) => [
            { streamId: `${category}-x`, events: [testEvent('X', { by })], expectedRevision: 'no_stream' as const },
            { streamId: `${category}-y`, events: [testEvent('Y', { by })], expectedRevision: 'no_stream' as const },
          ];
          const outcomes = await Promise.allSettled([
            store.appendToStreams(batch('a')),
            other.appendToStreams(batch('b')),
          ]);
          expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
          const rejected = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
          expect(rejected.reason).toBeInstanceOf(ConcurrencyError);
          const x = await store.readStream(`${category}-x`);
          const y = await store.readStream(`${category}-y`);
          expect([x.length, y.length]).toEqual([1, 1]);
          expect(x[0]!.data).toEqual(y[0]!.data);
        } finally {
          await other.close();
        }
      });

      it('refuses a stream given twice, or a part without events, before touching the log', async () => {
        const stream = `${uniqueCategory('multi')}-1`;
        await expect(
          store.appendToStreams([
            { streamId: stream, events: [testEvent('A')] },
            { streamId: stream, events: [testEvent('B')] },
          ]),
        ).rejects.toThrow(RangeError);
        await expect(store.appendToStreams([{ streamId: stream, events: [] }])).rejects.toThrow(RangeError);
        await expect(store.appendToStreams([])).rejects.toThrow(RangeError);
        expect(await store.readStream(stream)).toEqual([]);
      });
    });

    describe('when reading a stream', () => {
      it('reads forwards and backwards from a revision with a limit', async () => {
        const stream = `${uniqueCategory('read')}-1`;
        await store.append(
          stream,
          ['A', 'B', 'C', 'D', 'E'].map((t) => testEvent(t)),
        );
        const types = (events: RecordedEvent[]) => events.map((e) => e.type).join('');
        expect(types(await store.readStream(stream))).toBe('ABCDE');
        expect(types(await store.readStream(stream, { fromRevision: 2, maxCount: 2 }))).toBe('CD');
        expect(types(await store.readStream(stream, { direction: 'backwards' }))).toBe('EDCBA');
        expect(types(await store.readStream(stream, { direction: 'backwards', fromRevision: 3, maxCount: 2 }))).toBe(
          'DC',
        );
        expect(types(await store.readStream(stream, { direction: 'backwards', maxCount: 1 }))).toBe('E');
      });

      it('returns an empty list for a stream that does not exist', async () => {
        expect(await store.readStream(`${uniqueCategory('none')}-1`)).toEqual([]);
      });

      it('returns data and metadata exactly as appended, unicode included', async () => {
        const stream = `${uniqueCategory('read')}-é`;
        const event = testEvent('Noted', { text: 'paquet ✓ 包 \u0000 "quoted"', n: 1.5, list: [1, null] });
        await store.append(stream, [event]);
        const [stored] = await store.readStream(stream);
        expect(stored!.data).toEqual(event.data);
        expect(stored!.metadata).toEqual(event.metadata);
        expect(stored!.streamId).toBe(stream);
        expect(Number.isNaN(Date.parse(stored!.recordedAt))).toBe(false);
      });
    });

    describe('when reading the global log', () => {
      it('returns events after a position, in append order, with filters', async () => {
        const category = uniqueCategory('all');
        const before = await store.headPosition();
        await store.append(`${category}-1`, [testEvent('A')]);
        await store.append(`${category}x-2`, [testEvent('B')]);
        await store.append(`${category}-1`, [testEvent('C')]);
        const mine = (await store.readAll({ after: before, maxCount: 1000 })).filter((e) =>
          e.streamId.startsWith(category),
        );
        expect(mine.map((e) => e.type)).toEqual(['A', 'B', 'C']);
        expect(mine.map((e) => e.position)).toEqual([...mine.map((e) => e.position)].sort((a, b) => a - b));
        const afterFirst = await store.readAll({ after: mine[0]!.position, filter: { streamPrefixes: [category] } });
        expect(afterFirst.map((e) => e.type)).toEqual(['B', 'C']);
        const onlyOneStream = await store.readAll({ after: before, filter: { streamPrefixes: [`${category}-`] } });
        expect(onlyOneStream.map((e) => e.type)).toEqual(['A', 'C']);
        const byType = await store.readAll({
          after: before,
          filter: { streamPrefixes: [category], eventTypes: ['B', 'C'] },
        });
        expect(byType.map((e) => e.type)).toEqual(['B', 'C']);
        const limited = await store.readAll({ after: before, maxCount: 2, filter: { streamPrefixes: [category] } });
        expect(limited).toHaveLength(2);
        expect(await store.headPosition()).toBe(mine[2]!.position);
        const backwards = await store.readAllBackwards({ maxCount: 3, filter: { streamPrefixes: [category] } });
        expect(backwards.map((e) => e.type)).toEqual(['C', 'B', 'A']);
        const older = await store.readAllBackwards({
          before: mine[2]!.position,
          filter: { streamPrefixes: [category] },
        });
        expect(older.map((e) => e.type)).toEqual(['B', 'A']);
      });

      it('stops at `until` (inclusive), with or without a filter, as stored too', async () => {
        const category = uniqueCategory('until');
        const before = await store.headPosition();
        await store.append(`${category}-1`, [testEvent('A'), testEvent('B')]);
        await store.append(`${category}-2`, [testEvent('C')]);
        const mine = await store.readAll({ after: before, filter: { streamPrefixes: [`${category}-`] } });
        const [, b, c] = mine.map((e) => e.position);
        const upToB = await store.readAll({ after: before, until: b!, filter: { streamPrefixes: [`${category}-`] } });
        expect(upToB.map((e) => e.type)).toEqual(['A', 'B']);
        expect((await store.readAll({ after: before, until: b! })).map((e) => e.type)).toEqual(['A', 'B']);
        expect((await store.readAll({ after: before, until: b!, asStored: true })).map((e) => e.type)).toEqual([
          'A',
          'B',
        ]);
        // A filter that matches nothing before `until` answers at once, empty.
        expect(await store.readAll({ after: before, until: b!, filter: { eventTypes: ['C'] } })).toEqual([]);
        expect(
          (await store.readAll({ after: b!, until: c!, filter: { eventTypes: ['C'] } })).map((e) => e.type),
        ).toEqual(['C']);
      });
    });

    describe('when subscribing to the global log', () => {
      it('delivers history, reports caughtUp, then follows live appends', async () => {
        const category = uniqueCategory('sub');
        const before = await store.headPosition();
        await store.append(`${category}-1`, [testEvent('A'), testEvent('B')]);
        const subscription = store.subscribeToAll({ after: before, filter: { streamPrefixes: [category] } });
        try {
          const iterator = subscription[Symbol.asyncIterator]();
          const history: RecordedEvent[] = [];
          const caughtUp = await nextBatch(iterator, (b) => {
            history.push(...b.events);
            return b.caughtUp;
          });
          expect(history.map((e) => e.type)).toEqual(['A', 'B']);
          expect(caughtUp.position).toBeGreaterThanOrEqual(history[1]!.position);
          const writer = await fixture.open();
          await writer.append(`${category}-2`, [testEvent('C')]);
          await writer.close();
          const live = await nextBatch(iterator, (b) => b.events.length > 0);
          expect(live.events.map((e) => e.type)).toEqual(['C']);
        } finally {
          await subscription.close();
        }
      });

      it('resumes strictly after a stored checkpoint', async () => {
        const category = uniqueCategory('resume');
        const before = await store.headPosition();
        await store.append(`${category}-1`, [testEvent('A'), testEvent('B'), testEvent('C')]);
        const [, second] = await store.readAll({ after: before, filter: { streamPrefixes: [category] } });
        const subscription = store.subscribeToAll({ after: second!.position, filter: { streamPrefixes: [category] } });
        try {
          const events = await collect(subscription, 1, category);
          expect(events.map((e) => e.type)).toEqual(['C']);
        } finally {
          await subscription.close();
        }
      });

      it('pages a long history in bounded batches without loss or repetition', async () => {
        const category = uniqueCategory('page');
        const before = await store.headPosition();
        for (let i = 0; i < 5; i++) {
          await store.append(
            `${category}-${i}`,
            Array.from({ length: 50 }, (_, j) => testEvent('N', { n: i * 50 + j })),
          );
        }
        const subscription = store.subscribeToAll({
          after: before,
          maxBatchSize: 64,
          filter: { streamPrefixes: [category] },
        });
        try {
          const iterator = subscription[Symbol.asyncIterator]();
          const seen: number[] = [];
          await nextBatch(iterator, (b) => {
            expect(b.events.length).toBeLessThanOrEqual(64);
            seen.push(...b.events.map((e) => (e.data as { n: number }).n));
            return b.caughtUp;
          });
          expect(seen).toEqual(Array.from({ length: 250 }, (_, i) => i));
        } finally {
          await subscription.close();
        }
      });

      it('sees every event of concurrent appenders (other clients) exactly once, in position order', async () => {
        const category = uniqueCategory('race');
        const before = await store.headPosition();
        const writers = await Promise.all([fixture.open(), fixture.open(), fixture.open()]);
        const subscription = store.subscribeToAll({
          after: before,
          maxBatchSize: 5,
          filter: { streamPrefixes: [category] },
        });
        try {
          const following = collect(subscription, 3 * 2 * 8, category);
          await Promise.all(
            writers.flatMap((writer, w) =>
              [0, 1].map(async (a) => {
                for (let i = 0; i < 8; i++)
                  await writer.append(`${category}-w${w}a${a}`, [testEvent('N', { w, a, i })]);
              }),
            ),
          );
          const seen = await following;
          const log = await store.readAll({ after: before, maxCount: 10_000, filter: { streamPrefixes: [category] } });
          expect(log).toHaveLength(48);
          expect(new Set(log.map((e) => e.position)).size).toBe(48);
          expect(seen.map((e) => e.position)).toEqual(log.map((e) => e.position));
          expect(seen.map((e) => e.position)).toEqual([...seen.map((e) => e.position)].sort((x, y) => x - y));
        } finally {
          await subscription.close();
          for (const writer of writers) await writer.close();
        }
      });

      it('ends iteration when closed while waiting', async () => {
        const subscription = store.subscribeToAll({
          after: await store.headPosition(),
          filter: { streamPrefixes: [uniqueCategory('x')] },
        });
        const iterator = subscription[Symbol.asyncIterator]();
        await nextBatch(iterator, (b) => b.caughtUp);
        const pending = iterator.next();
        await subscription.close();
        expect((await pending).done).toBe(true);
      });
    });

    describe('when reading the global log as stored (asStored)', () => {
      it('hands events over without upcasting, even those of a schema newer than this service', async (context) => {
        // An event from the future breaks every upcasting read of the log: only a log of its own.
        if (!fixture.openEmpty) return context.skip();
        const empty = await fixture.openEmpty();
        try {
          const category = uniqueCategory('stored');
          const current = testEvent('PackageSkipped', { package: 'nova', reason: 'x' });
          const newer = testEvent('PackageSkipped', { package: 'nova', reason: 'y' });
          const future = { ...newer, metadata: { ...newer.metadata, schemaVersion: 99 } };
          await empty.append(`${category}-1`, [current, future]);
          await expect(empty.readAll()).rejects.toMatchObject({ code: 'EVENT_FROM_THE_FUTURE' });
          const stored = await empty.readAll({ asStored: true });
          expect(stored.map((e) => [e.position, e.metadata.schemaVersion, e.data])).toEqual([
            [1, 1, current.data],
            [2, 99, future.data],
          ]);
          expect(await empty.readAll({ asStored: true, after: 1, maxCount: 1 })).toEqual([stored[1]]);
        } finally {
          await empty.close();
        }
      });
    });

    describe('when importing recorded events (importRecorded)', () => {
      const importable = capabilities.importsRecorded !== false;
      const openEmpty = (): Promise<EventStore> => {
        if (!fixture.openEmpty) throw new Error('an adapter that imports must give the suite openEmpty()');
        return fixture.openEmpty();
      };

      /** Events as another store recorded them: gaps in positions, two streams, old commit times. */
      function recorded(category: string): RecordedEvent[] {
        const at = (n: number) => `2024-01-0${n}T00:00:00.000Z`;
        const event = (stream: string, revision: number, position: number, type: string, day: number) => {
          const { data, metadata } = testEvent(type, { n: position, text: 'paquet ✓' });
          return { streamId: `${category}-${stream}`, revision, position, type, data, metadata, recordedAt: at(day) };
        };
        return [
          event('a', 0, 3, 'A', 1),
          event('b', 0, 4, 'B', 1),
          event('a', 1, 10, 'C', 2),
          event('a', 2, 11, 'D', 3),
        ];
      }

      it.skipIf(!importable)('keeps positions, revisions, ids, metadata and commit times', async () => {
        const empty = await openEmpty();
        try {
          const category = uniqueCategory('import');
          const events = recorded(category);
          expect(await empty.importRecorded([])).toEqual({ imported: 0, alreadyStored: 0, position: 0 });
          expect(await empty.importRecorded(events)).toEqual({ imported: 4, alreadyStored: 0, position: 11 });
          expect(await empty.readAll()).toEqual(events);
          expect(await empty.readStream(`${category}-a`)).toEqual([events[0], events[2], events[3]]);
          expect(await empty.headPosition()).toBe(11);
          const next = await empty.append(`${category}-a`, [testEvent('E')], { expectedRevision: 2 });
          expect(next).toEqual({ nextExpectedRevision: 3, position: 12 });
        } finally {
          await empty.close();
        }
      });

      it.skipIf(!importable)(
        'is a no-op when the same events are imported again, and continues after them',
        async () => {
          const empty = await openEmpty();
          try {
            const events = recorded(uniqueCategory('import'));
            await empty.importRecorded(events.slice(0, 3));
            expect(await empty.importRecorded(events)).toEqual({ imported: 1, alreadyStored: 3, position: 11 });
            expect(await empty.importRecorded(events)).toEqual({ imported: 0, alreadyStored: 4, position: 11 });
            expect(await empty.readAll()).toEqual(events);
          } finally {
            await empty.close();
          }
        },
      );

      it.skipIf(!importable)('refuses, writing nothing of the batch, an event at or before the head', async () => {
        const empty = await openEmpty();
        try {
          const category = uniqueCategory('import');
          await empty.append(`${category}-x`, [testEvent('X'), testEvent('Y'), testEvent('Z'), testEvent('W')]);
          const attempt = empty.importRecorded(recorded(category));
          await expect(attempt).rejects.toBeInstanceOf(ImportOrderError);
          await expect(attempt).rejects.toThrow(/position 3 is not after the store's head 4/);
          expect(await empty.headPosition()).toBe(4);
        } finally {
          await empty.close();
        }
      });

      it.skipIf(!importable)(
        'refuses, writing nothing of the batch, a stream revision that does not follow',
        async () => {
          const empty = await openEmpty();
          try {
            const events = recorded(uniqueCategory('import'));
            const gap = [events[0]!, events[1]!, { ...events[3]!, revision: 2 }];
            await expect(empty.importRecorded(gap)).rejects.toThrow(/revision 2, but the store's next revision is 1/);
            expect(await empty.headPosition()).toBe(0);
            const unordered = [events[1]!, events[0]!];
            await expect(empty.importRecorded(unordered)).rejects.toMatchObject({ code: 'IMPORT_OUT_OF_ORDER' });
            expect(await empty.readAll()).toEqual([]);
          } finally {
            await empty.close();
          }
        },
      );

      it.skipIf(!importable)('refuses an event id stored elsewhere', async () => {
        const empty = await openEmpty();
        try {
          const events = recorded(uniqueCategory('import'));
          await empty.importRecorded(events.slice(0, 2));
          const moved = { ...events[1]!, streamId: events[0]!.streamId, revision: 1, position: 20 };
          await expect(empty.importRecorded([moved])).rejects.toBeInstanceOf(DuplicateEventIdError);
          expect(await empty.headPosition()).toBe(4);
        } finally {
          await empty.close();
        }
      });

      it.skipIf(capabilities.importsRecorded !== false)('refuses, saying what it cannot keep', async () => {
        const events = recorded(uniqueCategory('import'));
        await expect(store.importRecorded(events)).rejects.toMatchObject({ code: 'IMPORT_NOT_SUPPORTED' });
        await expect(store.importRecorded([])).rejects.toMatchObject({ code: 'IMPORT_NOT_SUPPORTED' });
      });
    });

    describe('when given a malformed stream id', () => {
      it.each(['nodash', '-leading', 'sp ace-1', 'ca$t-1', ''])(
        'refuses %j before touching the log',
        async (streamId) => {
          const before = await store.headPosition();
          await expect(store.append(streamId, [testEvent('A')])).rejects.toMatchObject({ code: 'INVALID_STREAM_ID' });
          expect(await store.headPosition()).toBe(before);
        },
      );
    });
  });
}
