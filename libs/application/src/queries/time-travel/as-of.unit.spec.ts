import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '#domain/shared/event.js';
import { AsOfInputError, AsOfUnavailableError, parseAsOf, positionAt, resolveAsOf, type LogReads } from './as-of.js';

describe('parseAsOf', () => {
  it('reads a position', () => {
    expect(parseAsOf('42')).toEqual({ kind: 'position', position: 42 });
    expect(parseAsOf(' 7 ')).toEqual({ kind: 'position', position: 7 });
  });

  it('reads instants with Z, an offset, fractions, or a bare date (UTC midnight)', () => {
    expect(parseAsOf('2026-12-05T10:00:00Z')).toEqual({ kind: 'instant', instant: new Date('2026-12-05T10:00:00Z') });
    expect(parseAsOf('2026-12-05T12:30:00+02:30')).toEqual({
      kind: 'instant',
      instant: new Date('2026-12-05T10:00:00Z'),
    });
    expect(parseAsOf('2026-12-05T10:00:00.25-01:00')).toEqual({
      kind: 'instant',
      instant: new Date('2026-12-05T11:00:00.250Z'),
    });
    expect(parseAsOf('2026-12-05')).toEqual({ kind: 'instant', instant: new Date('2026-12-05T00:00:00Z') });
    expect(parseAsOf('2026-12-05T10:00Z')).toEqual({ kind: 'instant', instant: new Date('2026-12-05T10:00:00Z') });
  });

  it.each([
    ['0'],
    ['-3'],
    ['1.5'],
    ['99999999999999999999'],
    [''],
    ['yesterday'],
    ['2026-12-05T10:00:00'],
    ['2026-02-30'],
    ['2026-12-05T24:00:00Z'],
    ['2026-12-05T10:00:00+25:00'],
    ['12abc'],
  ])('refuses %j, naming as_of', (raw) => {
    expect(() => parseAsOf(raw)).toThrow(AsOfInputError);
    expect(() => parseAsOf(raw)).toThrow(/as_of/);
  });
});

/** A log with gaps in its positions, one event a minute from 10:00. */
function log(positions: readonly number[]): LogReads & { reads: number } {
  const events = positions.map(
    (position, i) =>
      ({ position, recordedAt: new Date(Date.UTC(2026, 11, 5, 10, i)).toISOString() }) as unknown as RecordedEvent,
  );
  const store = {
    reads: 0,
    headPosition: async () => positions.at(-1) ?? 0,
    readAll: async ({ after = 0, maxCount = Infinity } = {}) => {
      store.reads++;
      return events.filter((e) => e.position > after).slice(0, maxCount);
    },
    readAllBackwards: async ({ before = Infinity, maxCount = Infinity } = {}) =>
      events
        .filter((e) => e.position < before)
        .reverse()
        .slice(0, maxCount),
  };
  return store;
}

const at = (minute: number, second = 0) => new Date(Date.UTC(2026, 11, 5, 10, minute, second));

describe('positionAt', () => {
  it('finds the last event recorded at or before an instant, across gaps, in about log2(head) reads', async () => {
    const positions = [3, 4, 9, 10, 11, 20, 21, 40, 41, 42];
    const events = log(positions);
    expect(await positionAt(events, at(-1))).toBe(0);
    for (const [minute, position] of positions.entries()) {
      expect(await positionAt(events, at(minute))).toBe(position);
      expect(await positionAt(events, at(minute, 30))).toBe(position);
    }
    expect(await positionAt(events, at(600))).toBe(42);
    expect(await positionAt(log([]), at(0))).toBe(0);
    const big = log(Array.from({ length: 5000 }, (_, i) => i + 1));
    expect(await positionAt(big, at(2500, 1))).toBe(2501);
    expect(big.reads).toBeLessThanOrEqual(14);
  });
});

describe('resolveAsOf', () => {
  const views = (current: number) => ({ current, waitFor: async (position: number) => position <= current });

  it('gives the position and the instant its event was recorded', async () => {
    const events = log([1, 2, 5]);
    expect(await resolveAsOf({ kind: 'position', position: 2 }, events, views(5))).toEqual({
      position: 2,
      instant: at(1),
    });
    // a gap: the last event at or before
    expect(await resolveAsOf({ kind: 'position', position: 4 }, events, views(5))).toEqual({
      position: 4,
      instant: at(1),
    });
    expect(await resolveAsOf({ kind: 'instant', instant: at(2, 5) }, events, views(5))).toEqual({
      position: 5,
      instant: at(2),
    });
    expect(await resolveAsOf({ kind: 'instant', instant: at(-5) }, events, views(5))).toEqual({
      position: 0,
      instant: at(-5),
    });
  });

  it('refuses a position past the log, and one the views have not reached', async () => {
    const events = log([1, 2, 5]);
    await expect(resolveAsOf({ kind: 'position', position: 6 }, events, views(5))).rejects.toMatchObject({
      transient: false,
      message: expect.stringMatching(/as_of position 6 is beyond the last event of the log \(position 5\)/),
    });
    const behind = resolveAsOf({ kind: 'position', position: 5 }, events, views(2));
    await expect(behind).rejects.toBeInstanceOf(AsOfUnavailableError);
    await expect(behind).rejects.toMatchObject({ transient: true });
  });
});
