import { describe, expect, it } from 'vitest';
import type { ReadModelStore } from '#domain/projections/index.js';
import { ViewVersion } from './view-version.js';

type Checkpoint = Awaited<ReturnType<ReadModelStore['checkpoints']>>[number];

/** A store whose checkpoints the test moves. */
function storeWith(checkpoints: Checkpoint[]): ReadModelStore {
  return { checkpoints: async () => checkpoints } as unknown as ReadModelStore;
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
