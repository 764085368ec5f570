import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { aggregateDirOf } from '#domain/repo/aggregate-repo.js';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { AggregateRepoFiles } from '#infrastructure/repo/aggregate-repo.files.js';
import { testEvent } from '../../../../test/support/events.js';
import { repoPromoted } from '../../../../test/support/promotion-fixtures.js';
import { capturedLogger, type CapturedRecord } from '../../../../test/support/log-records.js';
import { PromotionLinksFollower } from './promotion-links.follower.js';

const A = 'aa/aa/aaaa_d1';
const B = 'bb/bb/bbbb_d1';

/** Lets the event loop run (real I/O included) until `done` holds; fake timers do not fire here. */
async function until(done: () => boolean): Promise<void> {
  for (let turn = 0; turn < 100_000 && !done(); turn++) await new Promise((resolve) => setImmediate(resolve));
  expect(done()).toBe(true);
}

/**
 * The follower of promotion links (one per API process): at start-up, after each promotion, and
 * in the background for a move the disk refused; over a real event log and repos directory.
 */
describe('the promotion links follower', () => {
  let root: string;
  let repos: string;
  let store: SqliteEventStore;
  let follower: PromotionLinksFollower;
  let records: CapturedRecord[];
  /** Link moves tried; while `broken`, each fails with EACCES. */
  let moves: number;
  let broken: boolean;

  function wire(useComponents: boolean): void {
    const logger = capturedLogger();
    records = logger.records;
    const config = { default: { datadir: root, useComponents, reponame: null } } as unknown as DlrnConfig;
    follower = new PromotionLinksFollower(store, config, logger.log);
    const move = follower.links.movePointer.bind(follower.links);
    moves = 0;
    broken = false;
    follower.links.movePointer = async (...args) => {
      moves += 1;
      if (broken) throw Object.assign(new Error('denied'), { code: 'EACCES' });
      return move(...args);
    };
  }
  const promote = (name: string, repoDir: string) =>
    store.append(`promotion-${name}`, [testEvent('RepoPromoted', repoPromoted(name, repoDir))]);

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'dlrn-follower-'));
    repos = join(root, 'repos');
    for (const dir of [A, B]) await mkdir(join(repos, dir), { recursive: true });
    store = new SqliteEventStore(join(root, 'events.sqlite'));
    wire(false);
  });
  afterEach(async () => {
    vi.useRealTimers();
    follower.onModuleDestroy();
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  describe('at start-up', () => {
    it('says nothing when every link agrees with the log', async () => {
      await promote('tested', A);
      await symlink(A, join(repos, 'tested'));
      await follower.onApplicationBootstrap();
      expect(records).toEqual([]);
    });

    it('moves the links that disagree, warns of each it could not, and says how many of each', async () => {
      await promote('moved', B);
      await symlink(A, join(repos, 'moved'));
      await promote('purged', 'zz/zz/gone_d1');
      await follower.onApplicationBootstrap();
      expect(await readlink(join(repos, 'moved'))).toBe(B);
      expect(records.map((r) => [r.level, r.msg, r['streamId'], r['names'], r['fixed'], r['failed']])).toEqual([
        [40, 'promotion link left as is', 'promotion-purged', undefined, undefined, undefined],
        [30, 'promotion links reconciled', undefined, 2, 1, 1],
      ]);
    });

    it('says so when links were only moved, none failing', async () => {
      await promote('moved', B);
      await symlink(A, join(repos, 'moved'));
      await follower.onApplicationBootstrap();
      expect(records).toMatchObject([{ level: 30, msg: 'promotion links reconciled', names: 1, fixed: 1, failed: 0 }]);
    });

    it('says so when only a link could not be brought back', async () => {
      await promote('purged', 'zz/zz/gone_d1');
      await follower.onApplicationBootstrap();
      expect(records.at(-1)).toMatchObject({ msg: 'promotion links reconciled', names: 1, fixed: 0, failed: 1 });
    });

    it('logs a log it cannot read, and starts all the same', async () => {
      store.readAll = () => Promise.reject(new Error('disk I/O error'));
      await follower.onApplicationBootstrap();
      expect(records.map((r) => [r.level, r.msg, (r['err'] as { message?: string } | undefined)?.message])).toEqual([
        [50, 'promotion links could not be reconciled', 'disk I/O error'],
      ]);
    });
  });

  describe('at start-up with components, after a crash that left aggregate files behind the log', () => {
    const COMMON = 'component/common/aa/aa/aaaa_d1';
    const TEXT = '[common-a]';

    async function published(name: string, text: string): Promise<string> {
      const aggregateHash = AggregateRepoFiles.md5(`${text}\n`);
      await store.append(`aggregate-${name}`, [
        testEvent('AggregateRepoPublished', {
          name,
          aggregateHash,
          aggregateDir: aggregateDirOf(name, aggregateHash),
          components: [{ component: 'common', repoDir: COMMON }],
        }),
      ]);
      return aggregateHash;
    }

    beforeEach(async () => {
      await mkdir(join(repos, COMMON), { recursive: true });
      await writeFile(join(repos, COMMON, 'delorean.repo'), TEXT);
    });

    it("writes each name's last aggregate back, and says which", async () => {
      wire(true);
      const hash = await published('tested', TEXT);
      await follower.onApplicationBootstrap();
      expect(await readFile(join(repos, 'tested', 'delorean.repo.md5'), 'utf8')).toBe(hash);
      expect(records.map((r) => [r.level, r.msg, r['names']])).toEqual([[30, 'aggregate files restored', ['tested']]]);
    });

    it('leaves an aggregate whose repositories changed on disk, and warns', async () => {
      wire(true);
      await published('tested', '[another text]');
      await follower.onApplicationBootstrap();
      expect(await readFile(join(repos, 'tested', 'delorean.repo'), 'utf8').catch(() => null)).toBeNull();
      expect(records.map((r) => [r.level, r.msg, r['names']])).toEqual([
        [40, 'aggregate files left as is: their repositories changed on disk', ['tested']],
      ]);
    });

    it('logs a log it cannot read for them', async () => {
      wire(true);
      const readAll = store.readAll.bind(store);
      store.readAll = (options) =>
        options?.filter?.eventTypes?.includes('AggregateRepoPublished')
          ? Promise.reject(new Error('disk I/O error'))
          : readAll(options);
      await follower.onApplicationBootstrap();
      expect(records.map((r) => [r.level, r.msg, (r['err'] as { message?: string } | undefined)?.message])).toEqual([
        [50, 'aggregate files could not be restored', 'disk I/O error'],
      ]);
    });

    it('restores nothing with components off', async () => {
      await published('tested', TEXT);
      await follower.onApplicationBootstrap();
      expect(await readFile(join(repos, 'tested', 'delorean.repo'), 'utf8').catch(() => null)).toBeNull();
      expect(records).toEqual([]);
    });
  });

  describe('after a promotion whose link the disk refused', () => {
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    });

    it('answers the error code, then retries after 1 s, 10 s and 60 s, warning of each failure, and stops', async () => {
      await promote('tested', A);
      broken = true;
      expect(await follower.follow(['promotion-tested'])).toEqual(['EACCES']);
      expect(records.map((r) => [r.level, r.msg, r['streamId']])).toEqual([
        [50, 'promotion link could not follow the log', 'promotion-tested'],
      ]);
      const warnings = () => records.filter((r) => r.msg === 'promotion link still not following the log');
      for (const [delay, attempt] of [
        [1_000, 1],
        [10_000, 2],
        [60_000, 3],
      ] as const) {
        await vi.advanceTimersByTimeAsync(delay - 1);
        expect(moves).toBe(attempt);
        await vi.advanceTimersByTimeAsync(1);
        await until(() => warnings().length === attempt);
        expect(warnings().at(-1)).toMatchObject({ level: 40, streamId: 'promotion-tested', attempt });
      }
      expect(vi.getTimerCount()).toBe(0);
      expect(moves).toBe(4);
    });

    it('moves the link at the first retry once the disk takes it', async () => {
      await promote('tested', A);
      broken = true;
      await follower.follow(['promotion-tested']);
      broken = false;
      await vi.advanceTimersByTimeAsync(1_000);
      await until(() => existsSync(join(repos, 'tested')));
      expect(moves).toBe(2);
      expect(vi.getTimerCount()).toBe(0);
      expect(await readlink(join(repos, 'tested'))).toBe(A);
      expect(records.map((r) => r.msg)).toEqual(['promotion link could not follow the log']);
    });

    it('answers a generic reason for an error without a code', async () => {
      await promote('tested', A);
      follower.links.movePointer = () => Promise.reject(new Error('odd'));
      expect(await follower.follow(['promotion-tested'])).toEqual(['the link could not be moved']);
    });

    it('drops the retries when the application stops', async () => {
      await promote('tested', A);
      broken = true;
      await follower.follow(['promotion-tested']);
      expect(vi.getTimerCount()).toBe(1);
      follower.onModuleDestroy();
      expect(vi.getTimerCount()).toBe(0);
      await vi.advanceTimersByTimeAsync(120_000);
      expect(moves).toBe(1);
    });
  });
});
