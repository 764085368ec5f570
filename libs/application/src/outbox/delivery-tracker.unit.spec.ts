import { describe, expect, it } from 'vitest';
import { DeliveryTracker } from './delivery-tracker.js';

describe('DeliveryTracker', () => {
  it('stays before the first unfinished job when later ones finish first', () => {
    const tracker = new DeliveryTracker(10);
    [11, 12, 13].forEach((p) => tracker.add(p));
    tracker.finish(13);
    tracker.finish(12);
    expect(tracker.safePosition).toBe(10);
    tracker.finish(11);
    expect(tracker.safePosition).toBe(10);
    tracker.readUpTo(15);
    expect(tracker.safePosition).toBe(15);
  });

  it('moves to the position before the first unfinished job once the ones before it finish', () => {
    const tracker = new DeliveryTracker(0);
    [3, 7, 9].forEach((p) => tracker.add(p));
    tracker.readUpTo(9);
    tracker.finish(3);
    expect(tracker.safePosition).toBe(6);
    expect(tracker.size).toBe(2);
    tracker.finish(9);
    tracker.finish(9);
    expect([tracker.unfinished, tracker.size, tracker.safePosition]).toEqual([1, 2, 6]);
  });
});
