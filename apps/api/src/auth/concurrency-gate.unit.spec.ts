import { describe, expect, it } from 'vitest';
import { ConcurrencyGate } from './concurrency-gate.js';

describe('concurrency gate', () => {
  describe('when a key is held as often as allowed', () => {
    it('makes the next holder wait until one leaves, in arrival order, and keeps other keys free', async () => {
      const gate = new ConcurrencyGate(2);
      const order: string[] = [];
      const first = await gate.enter('ci');
      await gate.enter('ci');
      const third = gate.enter('ci').then((leave) => (order.push('third'), leave));
      const fourth = gate.enter('ci').then((leave) => (order.push('fourth'), leave));
      const other = await gate.enter('admin');
      await Promise.resolve();
      expect(order).toEqual([]);
      first();
      first(); // leaving twice gives back one place only
      (await third)();
      await fourth;
      expect(order).toEqual(['third', 'fourth']);
      other();
      expect(gate.size).toBe(1);
    });
  });

  it('holds no key that nobody holds or waits for', async () => {
    const gate = new ConcurrencyGate(1);
    for (let i = 0; i < 100; i++) (await gate.enter(`user-${i}`))();
    expect(gate.size).toBe(0);
  });
});
