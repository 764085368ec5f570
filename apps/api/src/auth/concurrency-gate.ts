interface Slot {
  active: number;
  readonly waiting: (() => void)[];
}

/** A key already has `maxWaiting` callers waiting: this one is refused rather than queued. */
export class GateFullError extends Error {}

/**
 * At most `limit` holders per key at once; the others wait in arrival order, at most
 * `maxWaiting` of them (past it GateFullError), so one key's queue cannot grow without bound.
 * Keys are dropped as soon as nobody holds or waits for them, so the gate holds only what is in
 * progress.
 */
export class ConcurrencyGate {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly limit: number,
    private readonly maxWaiting = Infinity,
  ) {}

  /** Keys held or waited for now. */
  get size(): number {
    return this.slots.size;
  }

  /** Resolves once a place is held for `key`, with the function that gives it back (once). */
  async enter(key: string): Promise<() => void> {
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = { active: 0, waiting: [] };
      this.slots.set(key, slot);
    }
    const held = slot;
    // A woken waiter inherits the place of the one that left: `active` does not change.
    if (held.active < this.limit) held.active += 1;
    else if (held.waiting.length >= this.maxWaiting) {
      throw new GateFullError(`${held.waiting.length} callers already wait for this key`);
    } else await new Promise<void>((resolve) => held.waiting.push(resolve));
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const next = held.waiting.shift();
      if (next !== undefined) return next();
      held.active -= 1;
      if (held.active === 0) this.slots.delete(key);
    };
  }
}
