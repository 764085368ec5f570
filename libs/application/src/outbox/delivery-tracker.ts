/**
 * Which log positions the sender has finished (delivered or dead-lettered), and so the
 * position it may store as its checkpoint: every event at or before it is finished. Jobs are
 * added in log order and finish in any order (one lane per stream).
 */
export class DeliveryTracker {
  /** Position → finished; insertion order is log order. */
  private readonly pending = new Map<number, boolean>();
  private readThrough: number;
  private open = 0;

  constructor(start: number) {
    this.readThrough = start;
  }

  /** Positions remembered: unfinished ones, and finished ones after the first unfinished. */
  get size(): number {
    return this.pending.size;
  }

  /** Jobs not finished yet. */
  get unfinished(): number {
    return this.open;
  }

  add(position: number): void {
    this.pending.set(position, false);
    this.open += 1;
  }

  finish(position: number): void {
    if (this.pending.get(position) !== false) return;
    this.pending.set(position, true);
    this.open -= 1;
    for (const [first, finished] of this.pending) {
      if (!finished) break;
      this.pending.delete(first);
    }
  }

  /** Every event of the log up to `position` has been added (the subscription's batch position). */
  readUpTo(position: number): void {
    this.readThrough = Math.max(this.readThrough, position);
  }

  /** The highest position at or before which everything is finished. */
  get safePosition(): number {
    for (const [first] of this.pending) return first - 1;
    return this.readThrough;
  }
}
