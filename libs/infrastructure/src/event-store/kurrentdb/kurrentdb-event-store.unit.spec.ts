import { PassThrough, Readable } from 'node:stream';
import {
  ANY,
  BACKWARDS,
  END,
  FORWARDS,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AppendResult as ClientAppendResult,
  type AppendStreamRequest,
  type AppendToStreamOptions,
  type EventData,
  type Filter,
  type MultiAppendResult,
  type ReadAllOptions,
  type ReadStreamOptions,
  type SubscribeToAllOptions,
} from '@kurrent/kurrentdb-client';
import { Subscription as ClientSubscription } from '@kurrent/kurrentdb-client/dist/streams/utils/Subscription.js';
import { describe, expect, it } from 'vitest';
import { ConcurrencyError, type SubscriptionBatch } from '#domain/shared/event-store.port.js';
import type { EventMetadata } from '#domain/shared/event.js';
import { testEvent } from '../../../../../test/support/events.js';
import {
  KurrentDbEventStore,
  type KurrentDbClientLike,
  type KurrentDbSubscriptionLike,
} from './kurrentdb-event-store.adapter.js';
import {
  exactTypesRegex,
  matchesFilter,
  toActualRevision,
  toEventData,
  toReadPosition,
  toRecordedEvent,
  toSafeNumber,
  toServerFilter,
  toStreamState,
} from './kurrentdb-event-store.mapping.js';

const CREATED = new Date('2025-01-02T03:04:05.000Z');
const at = (n: number) => ({ commit: BigInt(n), prepare: BigInt(n) });

function stored(streamId: string, revision: number, position: number, type = 'Noted'): AllStreamResolvedEvent {
  const metadata: EventMetadata = { ...testEvent(type).metadata };
  return {
    event: {
      ...{ streamId, id: metadata.eventId, revision: BigInt(revision), type, isJson: true, created: CREATED },
      ...{ data: { at: position }, metadata: { ...metadata }, position: at(position) },
    },
  };
}

/** A server subscription as the client hands it over: a Readable plus catch-up signals. */
class FakeSubscription extends Readable {
  unsubscribed = 0;
  constructor(readonly options: SubscribeToAllOptions) {
    super({ objectMode: true, read() {} });
  }
  async unsubscribe(): Promise<void> {
    this.unsubscribed += 1;
  }
  deliver(...events: AllStreamResolvedEvent[]): this {
    for (const event of events) this.push(event);
    return this;
  }
  async checkpoint(position: number): Promise<void> {
    await this.options.filter?.checkpointReached?.(this, at(position));
  }
}

function acceptedByServer(filter: Filter | undefined, event: AllStreamResolvedEvent): boolean {
  const e = event.event!;
  if (!filter) return true;
  const subject = filter.filterOn === 'streamName' ? e.streamId : e.type;
  return 'prefixes' in filter
    ? filter.prefixes.some((p) => subject.startsWith(p))
    : new RegExp(filter.regex).test(subject);
}

/** A typed stub of the client over an in-memory `$all`; it records every call it gets. */
class StubClient implements KurrentDbClientLike {
  log: AllStreamResolvedEvent[] = [];
  appends: { streamName: string; events: EventData[]; options: AppendToStreamOptions | undefined }[] = [];
  appendOutcome: () => Promise<ClientAppendResult> = async () => ({
    success: true,
    nextExpectedRevision: 0n,
    position: at(100),
  });
  multiAppends: AppendStreamRequest[][] = [];
  /** By default stores every request's events in `log`, after what is there, as the server would. */
  multiAppendOutcome: (requests: AppendStreamRequest[]) => Promise<MultiAppendResult> = async (requests) => {
    let position = Math.max(0, ...this.log.map((e) => Number(e.event!.position.commit)));
    const responses = requests.map(({ streamName, events }) => {
      let revision = this.log.filter((e) => e.event?.streamId === streamName).length - 1;
      for (const event of events) {
        revision += 1;
        position += 10;
        const data = event.data as Record<string, unknown>;
        const metadata = event.metadata as Record<string, unknown>;
        this.log.push({
          event: {
            ...{ streamId: streamName, id: event.id, revision: BigInt(revision), type: event.type, isJson: true },
            ...{ created: CREATED, data, metadata, position: at(position) },
          },
        });
      }
      return { streamName, revision: BigInt(revision) };
    });
    return { position: BigInt(position), responses };
  };
  readStreamCalls: ReadStreamOptions[] = [];
  readAllCalls: ReadAllOptions[] = [];
  subscriptions: FakeSubscription[] = [];
  disposed = 0;
  /** When set, serves subscriptions instead of the fakes below. */
  subscriptionSource: (() => KurrentDbSubscriptionLike) | undefined;

  async appendToStream(streamName: string, events: EventData[], options?: AppendToStreamOptions) {
    this.appends.push({ streamName, events, options });
    return this.appendOutcome();
  }
  async multiStreamAppend(requests: AppendStreamRequest[]) {
    this.multiAppends.push(requests);
    return this.multiAppendOutcome(requests);
  }
  async *readStream(streamName: string, options: ReadStreamOptions = {}) {
    this.readStreamCalls.push(options);
    const events = this.log.filter((e) => e.event?.streamId === streamName);
    if (events.length === 0) throw new StreamNotFoundError(undefined, streamName);
    const backwards = options.direction === BACKWARDS;
    const from = typeof options.fromRevision === 'bigint' ? options.fromRevision : undefined;
    const selected = (backwards ? events.reverse() : events).filter(
      (e) => from === undefined || (backwards ? e.event!.revision <= from : e.event!.revision >= from),
    );
    yield* selected.slice(0, Number(options.maxCount ?? Infinity));
  }
  /** Inclusive start in both directions: the worst case for the adapter's exclusive bounds. */
  async *readAll(options: ReadAllOptions = {}) {
    this.readAllCalls.push(options);
    const backwards = options.direction === BACKWARDS;
    const from = options.fromPosition ?? START;
    let events = this.log.filter((e) => {
      if (from === START || from === END) return true;
      return backwards ? e.event!.position.commit <= from.commit : e.event!.position.commit >= from.commit;
    });
    if (backwards) events = events.reverse();
    yield* events.filter((e) => acceptedByServer(options.filter, e)).slice(0, Number(options.maxCount ?? Infinity));
  }
  subscribeToAll(options: SubscribeToAllOptions = {}): KurrentDbSubscriptionLike {
    if (this.subscriptionSource) return this.subscriptionSource();
    const subscription = new FakeSubscription(options);
    this.subscriptions.push(subscription);
    return subscription;
  }
  async dispose() {
    this.disposed += 1;
  }
}

function setup() {
  const client = new StubClient();
  return { client, store: new KurrentDbEventStore(client) };
}
const tick = () => new Promise((resolve) => setImmediate(resolve));
const typesOf = (batch: SubscriptionBatch) => batch.events.map((e) => e.type);

describe('KurrentDB mapping', () => {
  it.each([
    ['any', ANY],
    ['no_stream', NO_STREAM],
    ['stream_exists', STREAM_EXISTS],
    [7, 7n],
  ] as const)('maps expected revision %j to the client stream state %s', (expected, state) => {
    expect(toStreamState(expected)).toBe(state);
  });

  it.each([-1, 1.5])('refuses %j as an expected revision', (expected) => {
    expect(() => toStreamState(expected)).toThrow(RangeError);
  });

  it('reports a missing, deleted or tombstoned stream as no_stream, a revision as a number', () => {
    expect([toActualRevision(NO_STREAM), toActualRevision(-5n), toActualRevision(-6n), toActualRevision(3n)]).toEqual([
      'no_stream',
      'no_stream',
      'no_stream',
      3,
    ]);
  });

  it('refuses bigints beyond 2^53 instead of rounding them', () => {
    expect(toSafeNumber(2n ** 53n - 1n, 'x')).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => toSafeNumber(2n ** 53n, 'log position')).toThrow(/does not fit/);
  });

  it('sends an event as JSON keyed by its own event id, metadata included', () => {
    const event = testEvent('Built', { nvr: 'nova-1.0' });
    expect(toEventData(event)).toEqual({
      id: event.metadata.eventId,
      contentType: 'application/json',
      type: 'Built',
      data: { nvr: 'nova-1.0' },
      metadata: event.metadata,
    });
  });

  it('turns a resolved event into a recorded one with numbers and an ISO recordedAt', () => {
    const resolved = stored('build-1', 4, 9000, 'Built');
    expect(toRecordedEvent(resolved)).toEqual({
      streamId: 'build-1',
      revision: 4,
      position: 9000,
      type: 'Built',
      data: { at: 9000 },
      metadata: resolved.event!.metadata,
      recordedAt: '2025-01-02T03:04:05.000Z',
    });
  });

  it('upcasts what it reads: a known type from a newer schema is refused', () => {
    const resolved = stored('package-nova', 0, 10, 'PackageSkipped');
    const metadata = { ...(resolved.event!.metadata as Record<string, unknown>), schemaVersion: 99 };
    const future = { event: { ...resolved.event!, metadata } } as AllStreamResolvedEvent;
    expect(() => toRecordedEvent(future)).toThrow(/upgrade/);
  });

  it('decodes binary JSON payloads and refuses events without our metadata', () => {
    const resolved = stored('build-1', 0, 10);
    const bytes = (value: unknown) => new Uint8Array(Buffer.from(JSON.stringify(value)));
    const binary = {
      event: { ...resolved.event!, isJson: false, data: bytes({ b: 1 }), metadata: bytes(resolved.event!.metadata) },
    };
    expect(toRecordedEvent(binary as AllStreamResolvedEvent)?.data).toEqual({ b: 1 });
    const foreign = { event: { ...resolved.event!, metadata: undefined } } as AllStreamResolvedEvent;
    expect(() => toRecordedEvent(foreign)).toThrow(/not written by this service/);
    expect(toRecordedEvent({})).toBeUndefined();
  });

  it('starts at START for position 0 and at {n, n} otherwise', () => {
    expect([toReadPosition(0), toReadPosition(42)]).toEqual([START, at(42)]);
  });

  it('filters on stream prefixes first, else on exact event types, else on non-system types', () => {
    expect(toServerFilter({ streamPrefixes: ['build-'], eventTypes: ['A'] })).toMatchObject({
      filterOn: 'streamName',
      prefixes: ['build-'],
    });
    expect(toServerFilter({ eventTypes: ['A.b', 'C'] })).toMatchObject({
      filterOn: 'eventType',
      regex: '^(?:A\\.b|C)$',
    });
    expect(toServerFilter(undefined)).toMatchObject({ filterOn: 'eventType', regex: '^[^$].*' });
  });

  it('builds an event-type regex that matches whole names only', () => {
    const regex = new RegExp(exactTypesRegex(['Built', 'a.b']));
    expect(['Built', 'BuiltAgain', 'ReBuilt', 'a.b', 'axb'].map((t) => regex.test(t))).toEqual([
      true,
      false,
      false,
      true,
      false,
    ]);
  });

  it('keeps system streams and $ event types out of every filter', () => {
    const filter = { streamPrefixes: ['build-'], eventTypes: ['A'] };
    expect(matchesFilter({ streamId: 'build-1', type: 'A' }, filter)).toBe(true);
    expect(matchesFilter({ streamId: 'build-1', type: 'B' }, filter)).toBe(false);
    expect(matchesFilter({ streamId: '$stats-1', type: 'A' }, undefined)).toBe(false);
    expect(matchesFilter({ streamId: 'build-1', type: '$streamDeleted' }, undefined)).toBe(false);
  });
});

describe('KurrentDB event store', () => {
  describe('when appending', () => {
    it.each([
      [undefined, ANY],
      ['no_stream', NO_STREAM],
      ['stream_exists', STREAM_EXISTS],
      [3, 3n],
    ] as const)('sends expected revision %j as stream state %s', async (expectedRevision, streamState) => {
      const { client, store } = setup();
      await store.append('build-1', [testEvent('A')], { expectedRevision });
      expect(client.appends[0]).toMatchObject({ streamName: 'build-1', options: { streamState } });
    });

    it('returns the next revision and the commit position as numbers', async () => {
      const { client, store } = setup();
      client.appendOutcome = async () => ({
        success: true,
        nextExpectedRevision: 5n,
        position: { commit: 7000n, prepare: 6800n },
      });
      expect(await store.append('build-1', [testEvent('A'), testEvent('B')])).toEqual({
        nextExpectedRevision: 5,
        position: 7000,
      });
      expect(client.appends[0]!.events.map((e) => e.type)).toEqual(['A', 'B']);
    });

    it('refuses a malformed stream id and an empty batch without calling the server', async () => {
      const { client, store } = setup();
      await expect(store.append('nodash', [testEvent('A')])).rejects.toMatchObject({ code: 'INVALID_STREAM_ID' });
      await expect(store.append('build-1', [])).rejects.toThrow(RangeError);
      expect(client.appends).toEqual([]);
    });
  });

  describe('when the server reports a wrong expected version', () => {
    it('throws ConcurrencyError naming the stream, what was expected and the actual revision', async () => {
      const { client, store } = setup();
      client.appendOutcome = async () => {
        throw new WrongExpectedVersionError(undefined, { streamName: 'build-1', expected: 1n, current: 2n });
      };
      const attempt = store.append('build-1', [testEvent('D')], { expectedRevision: 1 });
      await expect(attempt).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(attempt).rejects.toMatchObject({
        streamId: 'build-1',
        expected: 1,
        actual: 2,
        code: 'STREAM_REVISION_CONFLICT',
      });
    });

    it('reports a stream that does not exist as no_stream', async () => {
      const { client, store } = setup();
      client.appendOutcome = async () => {
        throw new WrongExpectedVersionError(undefined, {
          streamName: 'build-1',
          expected: STREAM_EXISTS,
          current: NO_STREAM,
        });
      };
      await expect(
        store.append('build-1', [testEvent('A')], { expectedRevision: 'stream_exists' }),
      ).rejects.toMatchObject({
        expected: 'stream_exists',
        actual: 'no_stream',
      });
    });

    it('asks the stream for its revision when the client returns the conflict as a result', async () => {
      const { client, store } = setup();
      client.log = [stored('build-1', 0, 10), stored('build-1', 1, 20)];
      client.appendOutcome = async () => ({ success: false, nextExpectedRevision: 1n, position: undefined });
      await expect(store.append('build-1', [testEvent('C')], { expectedRevision: 0 })).rejects.toMatchObject({
        expected: 0,
        actual: 1,
      });
    });
  });

  describe('when appending to several streams at once', () => {
    it('sends one multi-stream request, metadata as one string property, and reads each position back', async () => {
      const { client, store } = setup();
      client.log = [stored('build-1', 0, 10)];
      const a = testEvent('A');
      const b = testEvent('B');
      const results = await store.appendToStreams([
        { streamId: 'build-1', events: [a], expectedRevision: 0 },
        { streamId: 'promotion-x', events: [b], expectedRevision: 'no_stream' },
      ]);
      expect(client.multiAppends).toHaveLength(1);
      const [first, second] = client.multiAppends[0]!;
      expect([first!.streamName, first!.expectedState, second!.streamName, second!.expectedState]).toEqual([
        'build-1',
        0n,
        'promotion-x',
        NO_STREAM,
      ]);
      const metadata = first!.events[0]!.metadata as Record<string, unknown>;
      expect(Object.values(metadata).every((v) => typeof v === 'string')).toBe(true);
      expect(results).toEqual([
        { nextExpectedRevision: 1, position: 20 },
        { nextExpectedRevision: 0, position: 30 },
      ]);
      const [readBack] = await store.readStream('promotion-x');
      expect(readBack!.metadata).toEqual(b.metadata);
      expect((await store.readStream('build-1'))[1]!.metadata).toEqual(a.metadata);
    });

    it('turns a revision conflict into a ConcurrencyError naming the stream that failed', async () => {
      const { client, store } = setup();
      client.multiAppendOutcome = async () => {
        throw new WrongExpectedVersionError(undefined, { streamName: 'build-2', expected: 3n, current: 4n });
      };
      const attempt = store.appendToStreams([
        { streamId: 'build-1', events: [testEvent('A')], expectedRevision: 'no_stream' },
        { streamId: 'build-2', events: [testEvent('B')], expectedRevision: 3 },
      ]);
      await expect(attempt).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(attempt).rejects.toMatchObject({ streamId: 'build-2', expected: 3, actual: 4 });
    });

    it('refuses a stream given twice without calling the server', async () => {
      const { client, store } = setup();
      await expect(
        store.appendToStreams([
          { streamId: 'build-1', events: [testEvent('A')] },
          { streamId: 'build-1', events: [testEvent('B')] },
        ]),
      ).rejects.toThrow(RangeError);
      expect(client.multiAppends).toEqual([]);
    });
  });

  describe('when the server accepts a re-append as idempotent', () => {
    it('returns the position of the last event of the original batch', async () => {
      const { client, store } = setup();
      client.log = [stored('build-1', 0, 10), stored('build-1', 1, 20)];
      client.appendOutcome = async () => ({ success: true, nextExpectedRevision: 1n, position: undefined });
      expect(
        await store.append('build-1', [testEvent('A'), testEvent('B')], { expectedRevision: 'no_stream' }),
      ).toEqual({
        nextExpectedRevision: 1,
        position: 20,
      });
      expect(client.readStreamCalls.at(-1)).toMatchObject({ fromRevision: 1n, maxCount: 1 });
    });
  });

  describe('when the server fails otherwise', () => {
    it('lets the client error through', async () => {
      const { client, store } = setup();
      const unavailable = new UnavailableError();
      client.appendOutcome = async () => {
        throw unavailable;
      };
      await expect(store.append('build-1', [testEvent('A')])).rejects.toBe(unavailable);
    });
  });

  describe('when reading a stream', () => {
    it('returns an empty list when the client reports the stream missing', async () => {
      expect(await setup().store.readStream('build-none')).toEqual([]);
    });

    it('reads forwards from START, backwards from END, or from a given revision', async () => {
      const { client, store } = setup();
      client.log = [stored('build-1', 0, 10, 'A'), stored('build-1', 1, 20, 'B'), stored('build-1', 2, 30, 'C')];
      expect((await store.readStream('build-1')).map((e) => e.type)).toEqual(['A', 'B', 'C']);
      expect((await store.readStream('build-1', { direction: 'backwards', maxCount: 2 })).map((e) => e.type)).toEqual([
        'C',
        'B',
      ]);
      expect((await store.readStream('build-1', { fromRevision: 1 })).map((e) => e.revision)).toEqual([1, 2]);
      expect(client.readStreamCalls).toMatchObject([
        { direction: FORWARDS, fromRevision: START },
        { direction: BACKWARDS, fromRevision: END, maxCount: 2 },
        { direction: FORWARDS, fromRevision: 1n },
      ]);
    });
  });

  describe('when reading the global log', () => {
    function withLog() {
      const { client, store } = setup();
      client.log = [
        stored('$stats-node', 0, 5, '$statsCollected'),
        stored('build-1', 0, 10, 'A'),
        stored('repo-1', 0, 20, 'B'),
        stored('build-2', 0, 30, 'C'),
        stored('build-1', 1, 40, '$streamDeleted'),
        stored('build-3', 0, 50, 'A'),
      ];
      return { client, store };
    }

    it('hands events over as stored with asStored, upcast otherwise', async () => {
      const { client, store } = setup();
      const future = stored('package-nova', 0, 10, 'PackageSkipped');
      (future.event!.metadata as { schemaVersion: number }).schemaVersion = 99;
      client.log = [future];
      await expect(store.readAll()).rejects.toMatchObject({ code: 'EVENT_FROM_THE_FUTURE' });
      const [event] = await store.readAll({ asStored: true });
      expect([event!.position, event!.metadata.schemaVersion, event!.data]).toEqual([10, 99, { at: 10 }]);
    });

    it('returns events strictly after the position, without system events', async () => {
      const { store } = withLog();
      expect((await store.readAll()).map((e) => e.position)).toEqual([10, 20, 30, 50]);
      expect((await store.readAll({ after: 20 })).map((e) => e.position)).toEqual([30, 50]);
    });

    it('applies the part of the filter the server cannot and still fills maxCount across pages', async () => {
      const { client, store } = withLog();
      for (let i = 0; i < 100; i++) client.log.push(stored(`build-x${i}`, 0, 100 + i, i % 10 === 0 ? 'A' : 'Z'));
      const found = await store.readAll({
        after: 0,
        maxCount: 7,
        filter: { streamPrefixes: ['build-'], eventTypes: ['A'] },
      });
      expect(found.map((e) => e.position)).toEqual([10, 50, 100, 110, 120, 130, 140]);
      expect(client.readAllCalls.length).toBeGreaterThan(1);
      expect(client.readAllCalls[0]!.filter).toMatchObject({ filterOn: 'streamName', prefixes: ['build-'] });
      // The next page starts at the last event the server sent, even one the filter dropped.
      expect(client.readAllCalls[1]!.fromPosition).toEqual(at(127));
    });

    it('reads backwards strictly before a position, newest first', async () => {
      const { store } = withLog();
      expect((await store.readAllBackwards({ maxCount: 2 })).map((e) => e.position)).toEqual([50, 30]);
      expect((await store.readAllBackwards({ before: 30 })).map((e) => e.position)).toEqual([20, 10]);
    });

    it('reports the position of the last non-system event as the head, 0 when empty', async () => {
      expect(await withLog().store.headPosition()).toBe(50);
      expect(await setup().store.headPosition()).toBe(0);
    });
  });

  describe('when subscribing to the global log', () => {
    it('starts at START for 0 and strictly after a stored checkpoint otherwise', async () => {
      const { client, store } = setup();
      await Promise.all([
        store.subscribeToAll().close(),
        store.subscribeToAll({ after: 70, filter: { streamPrefixes: ['repo-'] } }).close(),
      ]);
      expect(client.subscriptions.map((s) => s.options.fromPosition)).toEqual([START, at(70)]);
      expect(client.subscriptions[1]!.options.filter).toMatchObject({ filterOn: 'streamName', prefixes: ['repo-'] });
    });

    it('hands over history in batches of at most maxBatchSize, caught up only after all of it', async () => {
      const { client, store } = setup();
      const iterator = store.subscribeToAll({ maxBatchSize: 2 })[Symbol.asyncIterator]();
      const source = client.subscriptions[0]!.deliver(
        stored('a-1', 0, 10, 'A'),
        stored('a-1', 1, 20, 'B'),
        stored('a-1', 2, 30, 'C'),
      );
      source.emit('caughtUp', {});
      expect(source.readableLength).toBe(3); // the signal overtook events still in the client's buffer
      const first = (await iterator.next()).value as SubscriptionBatch;
      const second = (await iterator.next()).value as SubscriptionBatch;
      expect([typesOf(first), first.position, first.caughtUp]).toEqual([['A', 'B'], 20, false]);
      expect([typesOf(second), second.position, second.caughtUp]).toEqual([['C'], 30, true]);
      source.deliver(stored('a-2', 0, 40, 'D'));
      expect((await iterator.next()).value).toMatchObject({ position: 40, caughtUp: true });
    });

    it('reports an empty caught-up batch when there is no history', async () => {
      const { client, store } = setup();
      const iterator = store.subscribeToAll({ after: 70 })[Symbol.asyncIterator]();
      client.subscriptions[0]!.emit('caughtUp', {});
      expect((await iterator.next()).value).toEqual({ events: [], position: 70, caughtUp: true });
    });

    it('moves the position on filter checkpoints and on events the filter drops', async () => {
      const { client, store } = setup();
      const filter = { streamPrefixes: ['a-'], eventTypes: ['A'] };
      const iterator = store.subscribeToAll({ filter })[Symbol.asyncIterator]();
      const source = client.subscriptions[0]!;
      await source.checkpoint(500);
      expect((await iterator.next()).value).toEqual({ events: [], position: 500, caughtUp: false });
      source.deliver(stored('a-1', 0, 600, 'Z'));
      expect((await iterator.next()).value).toEqual({ events: [], position: 600, caughtUp: false });
    });

    it('clears caughtUp when the server reports the subscription fell behind', async () => {
      const { client, store } = setup();
      const iterator = store.subscribeToAll()[Symbol.asyncIterator]();
      const source = client.subscriptions[0]!;
      source.emit('caughtUp', {});
      await iterator.next();
      source.emit('fellBehind', {});
      source.deliver(stored('a-1', 0, 10));
      await tick();
      expect((await iterator.next()).value).toMatchObject({ position: 10, caughtUp: false });
    });

    it('delivers what came before a server error, then throws it', async () => {
      const { client, store } = setup();
      const iterator = store.subscribeToAll()[Symbol.asyncIterator]();
      const source = client.subscriptions[0]!.deliver(stored('a-1', 0, 10));
      await tick();
      source.emit('error', new UnavailableError());
      expect((await iterator.next()).value).toMatchObject({ position: 10 });
      await expect(iterator.next()).rejects.toBeInstanceOf(UnavailableError);
    });

    it('pauses the client stream while a slow consumer has a backlog, resumes once drained', async () => {
      const { client, store } = setup();
      const iterator = store.subscribeToAll({ maxBatchSize: 1 })[Symbol.asyncIterator]();
      const source = client.subscriptions[0]!.deliver(...[1, 2, 3, 4].map((n) => stored('a-1', n - 1, n * 10)));
      await tick();
      expect(source.isPaused()).toBe(true);
      const positions: number[] = [];
      for (let i = 0; i < 4; i++) positions.push(((await iterator.next()).value as SubscriptionBatch).position);
      expect([positions, source.isPaused()]).toEqual([[10, 20, 30, 40], false]);
    });
  });

  describe('when a subscription is closed while waiting', () => {
    it('unsubscribes from the server and ends the iteration', async () => {
      const { client, store } = setup();
      const subscription = store.subscribeToAll();
      const pending = subscription[Symbol.asyncIterator]().next();
      await subscription.close();
      expect(await pending).toEqual({ done: true, value: undefined });
      expect(client.subscriptions[0]!.unsubscribed).toBe(1);
    });
  });

  describe('when the store is closed', () => {
    it('closes its subscriptions and disposes of the client once', async () => {
      const { client, store } = setup();
      store.subscribeToAll();
      await store.close();
      await store.close();
      expect([client.subscriptions[0]!.unsubscribed, client.disposed]).toEqual([1, 1]);
    });
  });

  describe('when asked to import recorded events', () => {
    it('refuses, naming the positions and commit times it cannot keep, and sends nothing', async () => {
      const { client, store } = setup();
      const { data, metadata } = testEvent('Noted');
      const event = { streamId: 'order-1', revision: 0, position: 7, type: 'Noted', data, metadata, recordedAt: '' };
      const attempt = store.importRecorded([event]);
      await expect(attempt).rejects.toMatchObject({ code: 'IMPORT_NOT_SUPPORTED' });
      await expect(attempt).rejects.toThrow(/positions .* and commit times/);
      expect([client.appends, client.multiAppends]).toEqual([[], []]);
    });
  });

  describe("when driven by the client's own subscription stream", () => {
    it('keeps the caught-up signal behind the history events it follows', async () => {
      const { client, store } = setup();
      const grpc = Object.assign(new PassThrough({ objectMode: true }), { cancel: () => grpc.end() });
      // The client's own Transform over a fake gRPC response stream; `never` stands in for grpc-js's
      // ClientReadableStream and the generated ReadResp types, which the fake only imitates.
      client.subscriptionSource = () =>
        new ClientSubscription<AllStreamResolvedEvent>(
          async () => grpc as never,
          (e) => e as never,
          {},
        );
      const iterator = store.subscribeToAll()[Symbol.asyncIterator]();
      const event = (e: AllStreamResolvedEvent) => ({ hasEvent: () => true, getEvent: () => e });
      for (const n of [1, 2, 3]) grpc.write(event(stored('a-1', n - 1, n * 10)));
      grpc.write({ hasCaughtUp: () => true, getCaughtUp: () => ({ hasTimestamp: () => false }) });
      grpc.write(event(stored('a-1', 3, 40)));
      const history: number[] = [];
      for (;;) {
        const batch = (await iterator.next()).value as SubscriptionBatch;
        history.push(...batch.events.map((e) => e.position));
        if (batch.caughtUp) break;
      }
      expect(history).toEqual([10, 20, 30]);
      expect((await iterator.next()).value).toMatchObject({ position: 40, caughtUp: true });
      await store.close();
    });
  });
});
