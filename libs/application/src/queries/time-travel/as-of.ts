import type { EventStore } from '#domain/shared/event-store.port.js';

/**
 * `as_of` as a caller gives it: a global log position (an integer >= 1), or an ISO-8601 instant
 * (a date `2026-12-05`, UTC midnight, or a date and time with `Z` or an offset).
 */
export type AsOfInput =
  { readonly kind: 'position'; readonly position: number } | { readonly kind: 'instant'; readonly instant: Date };

/** A moment of the history: the position answers reflect and the time they take as "now". */
export interface TimePoint {
  /** Global log position (0: before the first event). */
  readonly position: number;
  /**
   * When the event at `position` was recorded (its `recordedAt`, the writer's clock): what
   * answers use instead of the clock ("days since", vote ages). Before the first event: the
   * instant asked for, or the epoch.
   */
  readonly instant: Date;
}

/** A malformed `as_of` (the message names it and says what is accepted). */
export class AsOfInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AsOfInputError';
  }
}

/** An `as_of` the views cannot answer yet, or the log has not reached. */
export class AsOfUnavailableError extends Error {
  constructor(
    message: string,
    /** True when waiting will help (the views are behind the log), false when the log itself is. */
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'AsOfUnavailableError';
  }
}

const POSITION = /^[0-9]+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}:?\d{2})$/;
const ACCEPTED = 'a log position (an integer >= 1) or an ISO-8601 instant such as 2026-12-05T10:00:00Z';

/** Parses `as_of`; throws AsOfInputError naming it for anything else. */
export function parseAsOf(raw: string): AsOfInput {
  const text = raw.trim();
  if (POSITION.test(text)) {
    const position = Number(text);
    if (!Number.isSafeInteger(position) || position < 1) {
      throw new AsOfInputError(`as_of must be ${ACCEPTED}; got '${clip(raw)}'`);
    }
    return { kind: 'position', position };
  }
  const date = DATE.exec(text);
  const dateTime = date === null ? DATE_TIME.exec(text) : null;
  if (date === null && dateTime === null) throw new AsOfInputError(`as_of must be ${ACCEPTED}; got '${clip(raw)}'`);
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone = 'Z'] = (date ?? dateTime)!;
  const numbers = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const [year, month, day, hour, minute, second] = numbers;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, Number(fraction.padEnd(3, '0').slice(0, 3)));
  const check = new Date(utc);
  // Date.UTC rolls 2026-02-30 over to March: a date that does not exist is refused.
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw new AsOfInputError(`as_of '${clip(raw)}' is not a valid date and time`);
  }
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const digits = zone.replace(':', '');
    const hours = Number(digits.slice(1, 3));
    const minutes = Number(digits.slice(3, 5));
    if (hours > 23 || minutes > 59) throw new AsOfInputError(`as_of '${clip(raw)}' has an invalid UTC offset`);
    offsetMinutes = (digits.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
  }
  return { kind: 'instant', instant: new Date(utc - offsetMinutes * 60_000) };
}

function clip(raw: string): string {
  return raw.length > 64 ? `${raw.slice(0, 64)}…` : raw;
}

/** How far the views are, and a bounded wait for them (the API's ViewVersion). */
export interface ViewsPosition {
  readonly current: number;
  waitFor(position: number, timeoutMs?: number): Promise<boolean>;
}

/** What resolving reads of the log. */
export type LogReads = Pick<EventStore, 'readAll' | 'readAllBackwards' | 'headPosition'>;

/**
 * The position of the last event recorded at or before `instant` (0: none), by binary search on
 * the log's `recordedAt` (one one-event read per step: about log2(head) reads). It assumes
 * `recordedAt` grows with the position, as one writer's clock makes it.
 */
export async function positionAt(events: LogReads, instant: Date): Promise<number> {
  const limit = instant.getTime();
  let low = 0; // an event at or before the instant, or 0
  let high = await events.headPosition(); // no answer lies above it
  while (low < high) {
    const middle = low + Math.ceil((high - low) / 2);
    // The first event at or after `middle` (positions may have gaps).
    const [event] = await events.readAll({ after: middle - 1, maxCount: 1 });
    if (event !== undefined && event.position <= high && Date.parse(event.recordedAt) <= limit) {
      low = event.position;
    } else {
      high = middle - 1;
    }
  }
  return low;
}

/** When the last event at or before `position` was recorded; null when there is none. */
export async function instantOf(events: LogReads, position: number): Promise<Date | null> {
  if (position < 1) return null;
  const [event] = await events.readAllBackwards({ before: position + 1, maxCount: 1 });
  return event === undefined ? null : new Date(event.recordedAt);
}

/** How long an `as_of` past the views waits for them (read-your-writes' bound). */
const WAIT_MS = 2_000;

/**
 * The moment `as_of` names. A position past the views waits for them (briefly); past the log's
 * head, or still past the views, it is refused (AsOfUnavailableError). An instant becomes the
 * position of the last event recorded at or before it; before the first event, position 0 (the
 * empty answer).
 */
export async function resolveAsOf(input: AsOfInput, events: LogReads, views: ViewsPosition): Promise<TimePoint> {
  let position: number;
  if (input.kind === 'position') {
    position = input.position;
    if (position > views.current) {
      const head = await events.headPosition();
      if (position > head) {
        throw new AsOfUnavailableError(
          `as_of position ${position} is beyond the last event of the log (position ${head})`,
          false,
        );
      }
    }
  } else {
    position = await positionAt(events, input.instant);
  }
  if (position > views.current && !(await views.waitFor(position, WAIT_MS))) {
    throw new AsOfUnavailableError(
      `as_of position ${position}: the views have not reached it yet (they are at ${views.current}); retry shortly`,
      true,
    );
  }
  const instant = (await instantOf(events, position)) ?? (input.kind === 'instant' ? input.instant : new Date(0));
  return { position, instant };
}
