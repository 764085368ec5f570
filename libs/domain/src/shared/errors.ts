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
