import type { EventContext } from '#domain/shared/event.js';
import type { Clock, IdGenerator } from '#domain/shared/ports.js';

/** What a command recorded, and the log position the caller's views must reach to show it. */
export interface Recorded<T> {
  readonly recorded: T;
  readonly position: number;
}

/** The context of one API request's events: its own correlation id, the caller as actor. */
export function apiContext(ids: IdGenerator, user: string | null): EventContext {
  return { correlationId: ids.next(), causationId: null, actor: user ?? 'anonymous', trigger: 'api' };
}

/** The clock in DLRN's unit: whole epoch seconds. */
export function epochSeconds(clock: Clock): number {
  return Math.floor(clock.now().getTime() / 1000);
}
