import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.js';
import type { RecordedEvent } from './event.js';
import {
  assertImportableEvents,
  assertValidStreamAppends,
  assertValidStreamId,
  ConcurrencyError,
  DuplicateEventIdError,
  ImportNotSupportedError,
  ImportOrderError,
  revisionMatches,
} from './event-store.port.js';

const recorded = (position: number, revision = 0, extra: Partial<RecordedEvent> = {}): RecordedEvent => ({
  streamId: 'build-abc',
  revision,
  position,
  type: 'BuildStarted',
  data: {},
  metadata: {
    schemaVersion: 1,
    eventId: `e${position}`,
    occurredAt: '2026-12-06T00:00:00.000Z',
    correlationId: 'c',
    causationId: null,
    actor: 'system',
  },
  recordedAt: '2026-12-06T00:00:01.000Z',
  ...extra,
});
const event = recorded(1);

describe('revisionMatches', () => {
  it.each([
    ['any', undefined, true],
    ['any', 0, true],
    ['no_stream', undefined, true],
    ['no_stream', 0, false],
    ['stream_exists', undefined, false],
    ['stream_exists', 0, true],
    [0, 0, true],
    [0, undefined, false],
    [3, 3, true],
    [3, 2, false],
    [3, 4, false],
  ] as const)('expected %s against head %s: %s', (expected, head, matches) => {
    expect(revisionMatches(expected, head)).toBe(matches);
  });
});

describe('assertValidStreamId', () => {
  it.each(['build-abc', 'a-b', 'build_2-x-y', 'B9-🙂'])('accepts %s', (id) => {
    expect(() => assertValidStreamId(id)).not.toThrow();
  });

  it('accepts 512 characters and refuses 513', () => {
    expect(() => assertValidStreamId(`a-${'x'.repeat(510)}`)).not.toThrow();
    expect(() => assertValidStreamId(`a-${'x'.repeat(511)}`)).toThrow(DomainError);
  });

  it.each([
    '',
    'build',
    '-abc',
    '9build-x',
    'bu ild-x',
    'build-',
    'build- x',
    'bu-ild-x\n' /* JS `$` is the end of input: no newline slips through */,
    'b.x-y',
  ])('refuses %j with INVALID_STREAM_ID naming it', (id) => {
    let error: unknown;
    try {
      assertValidStreamId(id);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('INVALID_STREAM_ID');
    expect((error as DomainError).message).toBe(
      `invalid stream id ${JSON.stringify(id)}: expected <category>-<id>, category of [A-Za-z0-9_]`,
    );
  });
});

describe('assertValidStreamAppends', () => {
  const part = (streamId: string, events = [event]) => ({ streamId, events });

  it('accepts distinct, valid, non-empty parts', () => {
    expect(() => assertValidStreamAppends([part('a-1'), part('a-2')])).not.toThrow();
  });

  it('refuses no part at all', () => {
    expect(() => assertValidStreamAppends([])).toThrow('multi-stream append: no stream to append to');
  });

  it('refuses a part with no event, naming its stream', () => {
    expect(() => assertValidStreamAppends([part('a-1'), part('a-2', [])])).toThrow('stream a-2: nothing to append');
  });

  it('refuses a stream given twice, naming it', () => {
    expect(() => assertValidStreamAppends([part('a-1'), part('a-2'), part('a-1')])).toThrow(
      'multi-stream append: stream a-1 given twice',
    );
  });

  it('refuses an invalid stream id in any part', () => {
    expect(() => assertValidStreamAppends([part('a-1'), part('nope')])).toThrow(DomainError);
  });
});

describe('assertImportableEvents', () => {
  it('accepts events in strictly increasing positions, gaps allowed, and an empty list', () => {
    expect(() => assertImportableEvents([])).not.toThrow();
    expect(() => assertImportableEvents([recorded(1), recorded(2, 1), recorded(7, 2)])).not.toThrow();
  });

  it('refuses a position that does not follow the previous one (equal or lower), naming the event', () => {
    expect(() => assertImportableEvents([recorded(2), recorded(2, 1)])).toThrow(
      new ImportOrderError('e2', 'position 2 does not follow 2'),
    );
    expect(() => assertImportableEvents([recorded(3), recorded(1, 1)])).toThrow(
      'event e1: position 1 does not follow 3',
    );
  });

  it('refuses a first position of 0 or below, and a position that is not a safe integer', () => {
    expect(() => assertImportableEvents([recorded(0)])).toThrow('position 0 does not follow 0');
    expect(() => assertImportableEvents([recorded(1.5)])).toThrow('position 1.5 does not follow 0');
    expect(() => assertImportableEvents([recorded(2 ** 53)])).toThrow(ImportOrderError);
  });

  it('refuses a negative or fractional revision, and accepts revision 0', () => {
    expect(() => assertImportableEvents([recorded(1, -1)])).toThrow(
      'event e1: revision -1 is not a revision (an integer ≥ 0)',
    );
    expect(() => assertImportableEvents([recorded(1, 0.5)])).toThrow('revision 0.5 is not a revision');
    expect(() => assertImportableEvents([recorded(1, 0)])).not.toThrow();
  });

  it('refuses a recordedAt that is not a time, naming the event', () => {
    expect(() => assertImportableEvents([recorded(1, 0, { recordedAt: 'yesterday' })])).toThrow(
      'event e1: recordedAt "yesterday" is not an ISO-8601 time',
    );
    expect(() => assertImportableEvents([recorded(1, 0, { recordedAt: 5 as unknown as string })])).toThrow(RangeError);
  });

  it('refuses an invalid stream id', () => {
    expect(() => assertImportableEvents([recorded(1, 0, { streamId: 'nope' })])).toThrow(DomainError);
  });

  it('checks every event, not only the first', () => {
    expect(() => assertImportableEvents([recorded(1), recorded(2, 1, { recordedAt: 'x' })])).toThrow(
      'event e2: recordedAt',
    );
  });
});

describe('the store errors', () => {
  it('name the stream, the expected and the actual revision, with stable codes', () => {
    const conflict = new ConcurrencyError('build-abc', 2, 'no_stream');
    expect(conflict.code).toBe('STREAM_REVISION_CONFLICT');
    expect(conflict.message).toBe('stream build-abc: expected revision 2, found no_stream');
    expect(conflict.details).toEqual({ streamId: 'build-abc', expected: 2, actual: 'no_stream' });
    const duplicate = new DuplicateEventIdError('build-abc', 'e1');
    expect(duplicate.code).toBe('DUPLICATE_EVENT_ID');
    expect(duplicate.message).toBe('stream build-abc: event id e1 is already stored elsewhere or in another batch');
    const unsupported = new ImportNotSupportedError('kurrentdb', 'positions are the server’s');
    expect(unsupported.code).toBe('IMPORT_NOT_SUPPORTED');
    expect(unsupported.message).toBe('kurrentdb cannot import recorded events: positions are the server’s');
    expect(new ImportOrderError('e9', 'why').code).toBe('IMPORT_OUT_OF_ORDER');
  });

  it('carry the stream, the event or the store that an adapter maps them by in their details', () => {
    expect(new DuplicateEventIdError('build-abc', 'e1').details).toEqual({ streamId: 'build-abc', eventId: 'e1' });
    expect(new ImportOrderError('e9', 'position 3 does not follow 5').details).toEqual({ eventId: 'e9' });
    expect(new ImportOrderError('e9', 'position 3 does not follow 5').message).toBe(
      'event e9: position 3 does not follow 5',
    );
    expect(new ImportNotSupportedError('kurrentdb', 'positions are the server’s').details).toEqual({
      store: 'kurrentdb',
    });
  });

  it('name an invalid stream id in the details of the refusal', () => {
    let refusal: unknown;
    try {
      assertValidStreamId('no category');
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(DomainError);
    expect((refusal as DomainError).code).toBe('INVALID_STREAM_ID');
    expect((refusal as DomainError).details).toEqual({ streamId: 'no category' });
  });
});
