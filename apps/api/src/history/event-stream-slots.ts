/** How many event streams (`GET /api/events/stream`) one API process serves at once, at most. */
export const DEFAULT_MAX_EVENT_STREAMS = 100;
/** A comment line this often on an idle stream, so proxies and load balancers keep it open. */
export const DEFAULT_HEARTBEAT_MS = 15_000;

export interface EventStreamOptions {
  readonly maxStreams?: number;
  readonly heartbeatMs?: number;
}

/** Nest token of the EventStreamOptions (from ApiOptions.eventStreams). */
export const EVENT_STREAM_OPTIONS = Symbol('EVENT_STREAM_OPTIONS');

/**
 * The open event streams, bounded: each holds a connection, a store subscription and a timer,
 * so past `max` a new one is refused (503) rather than let clients pile them up.
 */
export class EventStreamSlots {
  private held = 0;

  constructor(readonly max: number) {}

  get open(): number {
    return this.held;
  }

  /** A place, with the function that gives it back (once); null when every place is taken. */
  tryEnter(): (() => void) | null {
    if (this.held >= this.max) return null;
    this.held += 1;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.held -= 1;
    };
  }
}
