import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventContext } from '#domain/shared/event.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { SystemClock } from '#infrastructure/ids/system-clock.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import { commitData } from '../../../../test/support/events.js';
import { PointerKeeper, type PointedBuild } from './pointer-keeper.js';

/**
 * Links in memory, keyed by their path under `root` (`consistent`, `component/c/current`);
 * `crashOnMove` makes the next link move fail as a killed process would.
 */
class MemoryLinks {
  readonly links = new Map<string, string>();
  crashOnMove = false;
  constructor(private readonly root = '/repos') {}
  async readPointer(reposDir: string, name: string): Promise<string | null> {
    return this.links.get(this.key(reposDir, name)) ?? null;
  }
  async movePointer(reposDir: string, name: string, repoDir: string): Promise<void> {
    if (this.crashOnMove) {
      this.crashOnMove = false;
      throw new Error('killed before the link moved');
    }
    this.links.set(this.key(reposDir, name), repoDir);
  }
  private key(reposDir: string, name: string): string {
    return relative(this.root, join(reposDir, name));
  }
}

/** The aggregate publisher's one call the keeper makes, recorded. */
class RecordedAggregates {
  readonly published: string[] = [];
  async publish(name: string, _context: EventContext): Promise<string | null> {
    this.published.push(name);
    return null;
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

    it("votes as DLRN does: job consistent, success, no URL or notes, no user, the build's time", async () => {
      await keeper.move('consistent', build('a'), context);
      const [, vote] = await store.readAll();
      expect(vote!.data).toEqual({
        commitHash: 'a'.repeat(40),
        distroHash: 'd'.repeat(40),
        extendedHash: null,
        component: null,
        jobId: 'consistent',
        url: '',
        notes: '',
        timestamp: 1_700_000_000,
        user: null,
        success: true,
      });
    });

    it('records the move without a vote when asked not to vote', async () => {
      await keeper.move('consistent', build('a'), context, false);
      expect(await types()).toEqual(['ConsistentMoved']);
    });

    it('to the latest build: records the move, and the vote only when asked', async () => {
      await keeper.moveToLatest('consistent', async () => build('a'), context, false);
      await keeper.moveToLatest('consistent', async () => build('b'), context, true);
      expect(await types()).toEqual(['ConsistentMoved', 'ConsistentMoved', 'CiVoteReported']);
      expect(links.links.get('consistent')).toBe(build('b').repoDir);
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

describe('pointer moves with components on', () => {
  let root: string;
  let store: SqliteEventStore;
  let links: MemoryLinks;
  let aggregates: RecordedAggregates;
  let keeper: PointerKeeper;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'pointer-keeper-'));
    store = new SqliteEventStore(':memory:');
    links = new MemoryLinks(root);
    aggregates = new RecordedAggregates();
    const commands = new DeciderCommandHandler(store, new UuidV7IdGenerator(), new SystemClock());
    const recorded = aggregates as unknown as ConstructorParameters<typeof PointerKeeper>[0]['aggregates'];
    keeper = new PointerKeeper({ commands, publisher: links, aggregates: recorded }, root);
  });
  afterEach(async () => {
    store.close();
    await rm(root, { recursive: true, force: true });
  });

  const ofComponent = (hash: string, component: string | null, repoDir = `component/${component}/${hash}_d`) => ({
    ...build(hash),
    repoDir,
    commit: { ...commit(hash), component },
  });

  describe('when a build of component tripleo moves current', () => {
    it("moves that component's link, to the path under its folder, records the component, then publishes the aggregate", async () => {
      await keeper.move('current', ofComponent('a', 'tripleo'), context);
      expect([...links.links]).toEqual([['component/tripleo/current', 'a_d']]);
      const [moved] = await store.readAll();
      expect(moved!.data).toMatchObject({
        repoDir: 'component/tripleo/a_d',
        previousRepoDir: null,
        component: 'tripleo',
      });
      expect(aggregates.published).toEqual(['current']);
    });
  });

  describe('when the link of tripleo already points at a build and a newer one moves it', () => {
    it('records the previous repository with its component folder', async () => {
      await keeper.move('current', ofComponent('a', 'tripleo'), context);
      await keeper.move('current', ofComponent('b', 'tripleo'), context);
      const [, second] = await store.readAll();
      expect(second!.data).toMatchObject({
        repoDir: 'component/tripleo/b_d',
        previousRepoDir: 'component/tripleo/a_d',
      });
    });
  });

  describe('when a package has no component', () => {
    it('moves no link and records nothing: the top-level names are the aggregates (DLRN has no folder for it)', async () => {
      await keeper.move('consistent', ofComponent('a', null, 'aa/aa/a_d'), context);
      expect(links.links.size).toBe(0);
      expect(await store.readAll()).toEqual([]);
      expect(aggregates.published).toEqual([]);
    });
  });

  describe("when a build's repository is outside its component's folder", () => {
    it('refuses the move, naming the repository and the folder', async () => {
      const stray = ofComponent('a', 'tripleo', 'component/other/a_d');
      await expect(keeper.move('current', stray, context)).rejects.toThrow(
        `component/other/a_d is not a repository of ${join(root, 'component', 'tripleo')}`,
      );
      expect(await store.readAll()).toEqual([]);
    });
  });

  describe('when a component name is a plain directory name', () => {
    it.each(['tripleo', 'Cloud9', '9x', 'ui_2.x+y-z'])('%s is accepted', async (component) => {
      await keeper.move('current', ofComponent('a', component), context);
      expect(links.links.get(`component/${component}/current`)).toBe('a_d');
    });
  });

  describe('when a component name is not a plain directory name', () => {
    it.each(['../etc', '.hidden', 'a/b', 'a b', '-x', 'x\n'])(
      '%j is refused by name before anything is recorded',
      async (component) => {
        await expect(keeper.move('current', ofComponent('a', component), context)).rejects.toThrow(
          `component ${JSON.stringify(component)} refused: not a plain directory name`,
        );
        expect(await store.readAll()).toEqual([]);
        expect(aggregates.published).toEqual([]);
      },
    );
  });

  describe('moveToLatest', () => {
    it("for a component: moves that component's link to the latest build, then publishes the aggregate", async () => {
      await keeper.moveToLatest('current', async () => ofComponent('b', 'tripleo'), context, true, 'tripleo');
      expect(links.links.get('component/tripleo/current')).toBe('b_d');
      expect(aggregates.published).toEqual(['current']);
    });

    it('without a component: moves nothing and publishes no aggregate', async () => {
      await keeper.moveToLatest('consistent', async () => ofComponent('a', null, 'aa/aa/a_d'), context, true);
      expect(links.links.size).toBe(0);
      expect(aggregates.published).toEqual([]);
    });

    it('with no latest build: moves nothing', async () => {
      await keeper.moveToLatest('current', async () => null, context, true, 'tripleo');
      expect(links.links.size).toBe(0);
      expect(await store.readAll()).toEqual([]);
    });
  });
});
