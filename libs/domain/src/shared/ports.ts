/** Source of "now". Injected so that deciders and tests never read the wall clock. */
export abstract class Clock {
  /** Current instant. */
  abstract now(): Date;
}

/** Source of identifiers. UUIDv7 in production (time-ordered), deterministic in tests. */
export abstract class IdGenerator {
  /** A new UUIDv7 string. */
  abstract next(): string;
}
