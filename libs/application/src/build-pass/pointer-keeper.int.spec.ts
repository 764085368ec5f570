import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { SystemClock } from '#infrastructure/ids/system-clock.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import { commitData } from '../../../../test/support/events.js';
import { PointerKeeper, type PointedBuild } from './pointer-keeper.js';

/** Links in memory; `crashOnMove` makes the next link move fail as a killed process would. */
class MemoryLinks {
  readonly links = new Map<string, string>();
  crashOnMove = false;
  async readPointer(_reposDir: string, name: string): Promise<string | null> {
    return this.links.get(name) ?? null;
  }
  async movePointer(_reposDir: string, name: string, repoDir: string): Promise<void> {
    if (this.crashOnMove) {
      this.crashOnMove = false;
      throw new Error('killed before the link moved');
    }
    this.links.set(name, repoDir);
  }
}

const commit = (hash: string) =>
  commitData({ package: 'python-foo', project: 'foo', commitHash: hash.repeat(40), distroHash: 'd'.repeat(40) });
const build = (hash: string): PointedBuild => ({
  buildId: `build-${hash}`,
  repoDir: `${hash}${hash}/${hash}${hash}/${hash}_d`,
  commit: commit(hash),
  dtBuild: 1_700_000_000,
});
const context = { correlationId: 'pass-1', causationId: null, actor: 'builder:test' };

describe('pointer moves: the log first, then the link', () => {
  let store: SqliteEventStore;
  let links: MemoryLinks;
  let keeper: PointerKeeper;
  beforeEach(() => {
    store = new SqliteEventStore(':memory:');
    links = new MemoryLinks();
    const commands = new DeciderCommandHandler(store, new UuidV7IdGenerator(), new SystemClock());
    keeper = new PointerKeeper({ commands, publisher: links }, '/repos');
  });
  afterEach(() => store.close());

  const types = async () => (await store.readAll()).map((e) => e.type);

  describe('when consistent moves', () => {
    it('records the move and the consistent vote, then moves the link', async () => {
      await keeper.move('consistent', build('a'), context);
      expect(await types()).toEqual(['ConsistentMoved', 'CiVoteReported']);
      expect(links.links.get('consistent')).toBe(build('a').repoDir);
    });
  });

  describe('when the link already points at the build', () => {
    it('records nothing', async () => {
      await keeper.move('current', build('a'), context);
      await keeper.move('current', build('a'), context);
      expect(await types()).toEqual(['CurrentMoved']);
    });
  });

  describe('when the process dies between the append and the link', () => {
    it('reconcile moves the link to what the log says, without a second move or vote', async () => {
      await keeper.move('consistent', build('a'), context);
      links.crashOnMove = true;
      await expect(keeper.move('consistent', build('b'), context)).rejects.toThrow(/killed/);
      expect(links.links.get('consistent')).toBe(build('a').repoDir);

      await keeper.reconcile({ current: null, consistent: build('b') }, context);
      expect(links.links.get('consistent')).toBe(build('b').repoDir);
      expect(await types()).toEqual(['ConsistentMoved', 'CiVoteReported', 'ConsistentMoved', 'CiVoteReported']);
      const [, , moved] = await store.readAll();
      expect(moved!.data).toMatchObject({ repoDir: build('b').repoDir, previousRepoDir: build('a').repoDir });
    });
  });
});
