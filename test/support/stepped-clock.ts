import { Clock } from '#domain/shared/ports.js';

/** A clock that moves only when a test says so. */
export class SteppedClock extends Clock {
  constructor(private at: Date) {
    super();
  }
  now(): Date {
    return this.at;
  }
  advance(seconds: number): void {
    this.at = new Date(this.at.getTime() + seconds * 1000);
  }
}
