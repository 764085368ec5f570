import { describe, expect, it } from 'vitest';
import type { ReadModelStore } from '#domain/projections/index.js';
import { ViewVersion } from './view-version.js';

type Checkpoint = Awaited<ReturnType<ReadModelStore['checkpoints']>>[number];

/** A store whose checkpoints the test moves. */
function storeWith(checkpoints: Checkpoint[]): Pick<ReadModelStore, 'checkpoints'> {
  return { checkpoints: async () => checkpoints };
}

const checkpoint = (name: string, position: number, active = true) =>
  ({ name, version: 1, position, active }) as Checkpoint;

describe('the views version', () => {
  describe('when one projector runs ahead of another', () => {
    it('changes with any active checkpoint, while the position stays the lowest', async () => {
      const checkpoints = [checkpoint('builds', 10), checkpoint('ci_votes', 10)];
      const views = new ViewVersion(storeWith(checkpoints));
      await views.refresh();
      const [position, version] = [views.current, views.version];
      let computed = 0;
      const answer = () => views.cached('k', async () => ({ n: ++computed }));
      expect(await answer()).toBe(await answer());
      checkpoints[1] = checkpoint('ci_votes', 20);
      await views.refresh();
      expect(views.current).toBe(position);
      expect(views.version).not.toBe(version);
      expect((await answer()).n).toBe(2);
    });
  });

  describe('when nothing moved', () => {
    it('keeps its version and its answers; inactive projections do not count', async () => {
      const checkpoints = [checkpoint('builds', 10), checkpoint('builds_v2', 3, false)];
      const views = new ViewVersion(storeWith(checkpoints));
      await views.refresh();
      const version = views.version;
      checkpoints[1] = checkpoint('builds_v2', 9, false);
      await views.refresh();
      expect([views.version, views.current]).toEqual([version, 10]);
    });
  });
});

describe('the answers cache', () => {
  const views = async (maxBytes: number) => {
    const version = new ViewVersion(storeWith([checkpoint('builds', 1)]), { maxBytes });
    await version.refresh();
    return version;
  };

  describe('when distinct keys are asked for past its byte budget', () => {
    it('holds at most the budget, the oldest answers leaving first', async () => {
      const cache = await views(64 * 1024);
      let computed = 0;
      const answer = (key: string) => cache.cached(key, async () => ({ key, text: 'x'.repeat(1000), n: ++computed }));
      for (let i = 0; i < 1000; i++) {
        await answer(`k${i}`);
        expect(cache.bytes).toBeLessThanOrEqual(64 * 1024);
      }
      expect(cache.bytes).toBeGreaterThan(32 * 1024);
      expect((await answer('k999')).n).toBe(1000);
      expect((await answer('k0')).n).toBe(1001);
    });

    it('counts the key as well as the answer', async () => {
      const cache = await views(64 * 1024);
      await cache.cached(`k${'y'.repeat(5_000)}`, async () => 'small');
      expect(cache.bytes).toBeGreaterThan(10_000);
    });
  });

  describe('when one answer is over a quarter of the budget', () => {
    it('answers it without keeping it', async () => {
      const cache = await views(64 * 1024);
      let computed = 0;
      const big = () => cache.cached('big', async () => ({ n: ++computed, text: 'z'.repeat(20_000) }));
      expect((await big()).n).toBe(1);
      expect((await big()).n).toBe(2);
      expect(cache.bytes).toBe(0);
    });
  });

  describe('when the answer says how big it is', () => {
    it('counts what it says', async () => {
      const cache = await views(64 * 1024);
      await cache.cached(
        'page',
        async () => ({ body: 'p' }),
        () => 5_000,
      );
      expect(cache.bytes).toBeGreaterThanOrEqual(5_000);
      expect(cache.bytes).toBeLessThan(6_000);
    });
  });
  describe('when answers are asked as of a past position', () => {
    it('keeps them across views versions, apart from the answers of now, within their budget', async () => {
      const checkpoints = [checkpoint('builds', 10)];
      const views = new ViewVersion(storeWith(checkpoints), { maxBytes: 64 * 1024 });
      await views.refresh();
      let computed = 0;
      const then = () => views.cachedAsOf('@5:k', async () => ({ then: ++computed }));
      const now = () => views.cached('@5:k', async () => ({ now: ++computed }));
      const first = await then();
      expect(await then()).toBe(first);
      expect(await now()).toEqual({ now: 2 });
      checkpoints[0] = checkpoint('builds', 11);
      await views.refresh();
      expect(await then()).toBe(first);
      expect(await now()).toEqual({ now: 3 });
      // the oldest leave first once a quarter of the budget is used
      for (let i = 0; i < 200; i++) await views.cachedAsOf(`@${i}:big`, async () => 'x'.repeat(500));
      expect((await then()).then).toBeGreaterThan(first.then);
    });
  });
});
