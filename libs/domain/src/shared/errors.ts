/**
 * Domain errors carry a stable code so that adapters (HTTP, CLI) can map them without parsing
 * messages. Codes are part of the public contract: never rename one.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A value did not satisfy its value object's rules (a hash with a `/`, an empty name…). */
export class InvalidValueError extends DomainError {
  constructor(what: string, value: unknown, why: string) {
    super('INVALID_VALUE', `invalid ${what} ${JSON.stringify(value)}: ${why}`, { what, value });
  }
}

/** Exhaustiveness guard for `switch` statements over discriminated unions. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}

/** Why a store could not do its work: out of space, not writable, or not reachable. */
export type StorageFailure = 'full' | 'read-only' | 'unavailable';

/**
 * A store (the event log, the read models, the repository files) failed for a reason outside
 * the request: nothing was recorded, and the same request may succeed later. The message names
 * the store and the reason, never a path or a driver's internals.
 */
export class StorageError extends DomainError {
  constructor(
    readonly store: string,
    readonly failure: StorageFailure,
    override readonly cause?: unknown,
  ) {
    const why = { full: 'is full', 'read-only': 'is read-only', unavailable: 'is unavailable' }[failure];
    super(`STORAGE_${failure.toUpperCase().replace('-', '_')}`, `the ${store} ${why}; nothing was recorded`, {
      store,
      failure,
    });
  }
}
