import { describe, expect, it } from 'vitest';
import { oneRecordingAtATime } from './import-deadline.js';

describe('one recording at a time', () => {
  describe('when an import is aborted while it waits for its turn', () => {
    it('gives the turn up at once, never runs, and the ones after it still run in order', async () => {
      const order: string[] = [];
      let release!: () => void;
      const first = oneRecordingAtATime(
        () => new Promise<void>((done) => (release = () => (order.push('first'), done()))),
      );
      const controller = new AbortController();
      const waiting = oneRecordingAtATime(async () => void order.push('aborted one ran'), controller.signal);
      const third = oneRecordingAtATime(async () => void order.push('third'));
      controller.abort(new Error('deadline'));
      await expect(waiting).rejects.toThrow('deadline');
      expect(order).toEqual([]);
      release();
      await first;
      await third;
      expect(order).toEqual(['first', 'third']);
    });
  });

  describe('when an import is aborted after its turn came', () => {
    it('completes its recording rather than stop half-way', async () => {
      const controller = new AbortController();
      let finish!: () => void;
      const recording = oneRecordingAtATime(
        () =>
          new Promise<string>((done) => {
            finish = () => done('recorded');
            controller.abort(new Error('too late'));
          }),
        controller.signal,
      );
      await new Promise((tick) => setTimeout(tick, 0));
      finish();
      expect(await recording).toBe('recorded');
    });
  });
});
