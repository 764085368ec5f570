import { createHash } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { SystemClock } from '#infrastructure/ids/system-clock.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import { FsRepoPublisher } from '#infrastructure/repo/fs-repo.publisher.js';
import { commitData } from '../../../../test/support/events.js';
import { PointerKeeper, type PointedBuild } from '../build-pass/pointer-keeper.js';
import { aggregatePublisherFor, type AggregatePublisher } from './aggregate-publisher.js';
import { repoDirsKeptByAggregates, restoreAggregateFiles } from './aggregate-retention.js';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const context = { correlationId: 'pass-1', causationId: null, actor: 'builder:test' };

/** A component's build on disk: its hashed directory with a `.repo` and a `versions.csv`. */
function writeBuild(repos: string, component: string | null, hash: string): PointedBuild {
  const prefix = component === null ? '' : `component/${component}/`;
  const repoDir = `${prefix}${hash}${hash}/${hash}${hash}/${hash.repeat(40)}_dddddddd`;
  mkdirSync(join(repos, repoDir), { recursive: true });
  writeFileSync(join(repos, repoDir, 'delorean.repo'), `[delorean-component-${component}]\nname=${hash}\n`);
  writeFileSync(join(repos, repoDir, 'versions.csv'), `Header\npkg-${hash},row\n`);
  return {
    buildId: `build-${hash}`,
    repoDir,
    commit: commitData({ package: `pkg-${hash}`, commitHash: hash.repeat(40), distroHash: 'd'.repeat(40), component }),
    dtBuild: 1_700_000_000,
  };
}

describe('components: per-component links and the aggregate beside them', () => {
  let root: string;
  let repos: string;
  let store: SqliteEventStore;
  let aggregates: AggregatePublisher;
  let keeper: PointerKeeper;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'dlrn-aggregate-'));
    repos = join(root, 'repos');
    mkdirSync(repos);
    store = new SqliteEventStore(':memory:');
    const commands = new DeciderCommandHandler(store, new UuidV7IdGenerator(), new SystemClock());
    aggregates = aggregatePublisherFor({
      commands,
      datadir: root,
      useComponents: true,
      reponame: 'delorean',
      packageComponents: () => ['tools', 'common', null],
    })!;
    keeper = new PointerKeeper({ commands, publisher: new FsRepoPublisher(), aggregates }, repos);
  });
  afterEach(async () => {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });

  const aggregateEvents = async () => (await store.readStream('aggregate-current')).map((e) => e.data);

  describe('when a build of each component becomes current', () => {
    let common: PointedBuild;
    let tools: PointedBuild;
    beforeEach(async () => {
      common = writeBuild(repos, 'common', 'a');
      tools = writeBuild(repos, 'tools', 'b');
      await keeper.move('current', tools, context);
      await keeper.move('current', common, context);
    });

    it('links each component’s current inside its directory, on its own stream', async () => {
      expect(readlinkSync(join(repos, 'component/common/current'))).toBe(
        common.repoDir.slice('component/common/'.length),
      );
      expect(await store.readStream('pointer-current@component/tools')).toHaveLength(1);
      expect(await store.readStream('pointer-current')).toHaveLength(0);
    });

    it('writes the aggregate of both, components sorted, under its MD5', async () => {
      const text = '[delorean-component-common]\nname=a\n\n[delorean-component-tools]\nname=b\n\n';
      const hash = md5(text);
      expect(readFileSync(join(repos, 'current/delorean.repo'), 'utf8')).toBe(text);
      expect(readFileSync(join(repos, 'current/delorean.repo.md5'), 'utf8')).toBe(hash);
      expect(readFileSync(join(repos, 'current/versions.csv'), 'utf8')).toMatch(/^Project,.*\npkg-a,row\npkg-b,row\n$/);
      expect(readlinkSync(join(repos, 'current/versions.csv'))).toBe(
        `${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}/versions.csv`,
      );
      expect((await aggregateEvents()).map((e) => (e as { aggregateHash: string }).aggregateHash)).toEqual([
        md5('[delorean-component-tools]\nname=b\n\n'),
        hash,
      ]);
    });

    it('records nothing more when reconciled to the same links', async () => {
      const before = await aggregateEvents();
      await keeper.reconcile(
        [
          { current: common, consistent: null },
          { current: tools, consistent: null },
        ],
        context,
      );
      expect(await aggregateEvents()).toEqual(before);
    });

    it('restores the aggregate files from the log when they are gone, unless a member changed', async () => {
      const md5Before = readFileSync(join(repos, 'current/delorean.repo.md5'), 'utf8');
      rmSync(join(repos, 'current'), { recursive: true });
      expect(await restoreAggregateFiles(store, repos, 'delorean')).toEqual({ restored: ['current'], mismatched: [] });
      expect(readFileSync(join(repos, 'current/delorean.repo.md5'), 'utf8')).toBe(md5Before);
      expect(await restoreAggregateFiles(store, repos, 'delorean')).toEqual({ restored: [], mismatched: [] });
      rmSync(join(repos, 'current'), { recursive: true });
      writeFileSync(join(repos, common.repoDir, 'delorean.repo'), 'edited by hand\n');
      expect(await restoreAggregateFiles(store, repos, 'delorean')).toEqual({ restored: [], mismatched: ['current'] });
      expect(() => lstatSync(join(repos, 'current'))).toThrow();
    });

    it('tells purge to keep both repositories', async () => {
      expect([...(await repoDirsKeptByAggregates(store, repos))].sort()).toEqual([common.repoDir, tools.repoDir]);
    });
  });

  describe('when repos/current is still a link of the layout without components', () => {
    it('replaces it with the aggregate directory', async () => {
      const common = writeBuild(repos, 'common', 'a');
      symlinkSync(common.repoDir, join(repos, 'current'));
      await keeper.move('current', common, context);
      expect(lstatSync(join(repos, 'current')).isDirectory()).toBe(true);
      expect(readFileSync(join(repos, 'current/delorean.repo'), 'utf8')).toBe(
        '[delorean-component-common]\nname=a\n\n',
      );
    });
  });

  describe('when a package has no component', () => {
    it('moves no link and records nothing (the top-level names are the aggregates’)', async () => {
      await keeper.move('current', writeBuild(repos, null, 'c'), context);
      expect(await store.readAll()).toEqual([]);
      expect(() => lstatSync(join(repos, 'current'))).toThrow();
    });
  });
});
