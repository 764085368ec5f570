import { describe, expect, it } from 'vitest';
import { assertNever, DomainError, InvalidValueError, StorageError, type StorageFailure } from './errors.js';

describe('InvalidValueError', () => {
  it('names what was invalid, the value and why, and keeps what and the value in its details', () => {
    const error = new InvalidValueError('commit hash', 'ab/cd', 'contains a slash');
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe('INVALID_VALUE');
    expect(error.name).toBe('InvalidValueError');
    expect(error.message).toBe('invalid commit hash "ab/cd": contains a slash');
    expect(error.details).toEqual({ what: 'commit hash', value: 'ab/cd' });
  });
});

describe('assertNever', () => {
  it('throws naming the unexpected value and what it was', () => {
    expect(() => assertNever('Bogus' as never, 'command')).toThrow(new Error('unexpected command: "Bogus"'));
  });

  it('calls it a value when the caller does not say what it was', () => {
    expect(() => assertNever({ type: 'Bogus' } as never)).toThrow(new Error('unexpected value: {"type":"Bogus"}'));
  });
});

describe('StorageError', () => {
  const cases: { failure: StorageFailure; code: string; message: string }[] = [
    { failure: 'full', code: 'STORAGE_FULL', message: 'the event store is full; nothing was recorded' },
    { failure: 'read-only', code: 'STORAGE_READ_ONLY', message: 'the event store is read-only; nothing was recorded' },
    {
      failure: 'unavailable',
      code: 'STORAGE_UNAVAILABLE',
      message: 'the event store is unavailable; nothing was recorded',
    },
  ];

  for (const { failure, code, message } of cases) {
    it(`when the store is ${failure}: code ${code}, a message naming the store and the reason`, () => {
      const cause = new Error('SQLITE_FULL: database or disk is full at /var/lib/dlrn/events.sqlite');
      const error = new StorageError('event store', failure, cause);
      expect(error).toBeInstanceOf(DomainError);
      expect(error.code).toBe(code);
      expect(error.message).toBe(message);
      expect(error.details).toEqual({ store: 'event store', failure });
      expect(error.store).toBe('event store');
      expect(error.failure).toBe(failure);
      expect(error.cause).toBe(cause);
    });
  }
});
