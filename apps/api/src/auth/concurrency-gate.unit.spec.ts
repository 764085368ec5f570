import { describe, expect, it } from 'vitest';
import { ConcurrencyGate, GateFullError } from './concurrency-gate.js';

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

  describe('when a key already has as many waiting as allowed', () => {
    it('refuses the next caller instead of queueing it, and takes callers again once the queue shrinks', async () => {
      const gate = new ConcurrencyGate(1, 2);
      const holder = await gate.enter('ci');
      const waiting = [gate.enter('ci'), gate.enter('ci')];
      await expect(gate.enter('ci')).rejects.toBeInstanceOf(GateFullError);
      expect(await gate.enter('other')).toBeTypeOf('function');
      holder();
      (await waiting[0]!)();
      const again = gate.enter('ci');
      (await waiting[1]!)();
      (await again)();
      expect(gate.size).toBe(1);
    });
  });

  it('holds no key that nobody holds or waits for', async () => {
    const gate = new ConcurrencyGate(1);
    for (let i = 0; i < 100; i++) (await gate.enter(`user-${i}`))();
    expect(gate.size).toBe(0);
  });
});
