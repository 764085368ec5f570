import { mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FLAG_PURGED, type BuildDoc } from '#domain/projections/index.js';
import { StorageError } from '#domain/shared/errors.js';
import type { AppendOptions, AppendResult, StreamAppend } from '#domain/shared/event-store.port.js';
import type { DomainEvent, RecordedEvent } from '#domain/shared/event.js';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { SystemClock } from '#infrastructure/ids/system-clock.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import type { DlrnQueries } from '#application/queries/dlrn-queries.js';
import { capturedLogger, type CapturedRecord } from '../../../../test/support/log-records.js';
import { Promoter } from './promoter.js';
import { PromotionLinksFollower } from './promotion-links.follower.js';
import type { PromotionRequest } from './promotion-plan.js';
import { PromotionRefusedError } from './promotion.errors.js';

/**
 * The real event store, with faults a test sets: `refuse` fails the promotion append (before
 * anything is written), `afterRecord` runs once right after it (another writer on the disk),
 * `refuseAggregate` fails the aggregate's append.
 */
class Store extends SqliteEventStore {
  refuse: Error | null = null;
  afterRecord: (() => Promise<void>) | null = null;
  refuseAggregate = false;

  override async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    if (this.refuse !== null) throw this.refuse;
    const results = await super.appendToStreams(appends);
    const after = this.afterRecord;
    this.afterRecord = null;
    if (after !== null) await after();
    return results;
  }

  override async append(
    streamId: string,
    events: readonly DomainEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    if (this.refuseAggregate && streamId.startsWith('aggregate-')) throw new StorageError('event log', 'full');
    return super.append(streamId, events, options);
  }
}

const request = (commitHash: string, promoteName: string): PromotionRequest => ({
  commitHash,
  distroHash: 'd1',
  extendedHash: null,
  promoteName,
});

/**
 * `Promoter` (POST /api/promote and /api/promote-batch) over a real event log and a real repos
 * directory, with the views' answer about each commit given by the test.
 */
describe('the promoter', () => {
  let root: string;
  let repos: string;
  let store: Store;
  let follower: PromotionLinksFollower;
  let promoter: Promoter;
  let records: CapturedRecord[];
  let commits: Map<string, Partial<BuildDoc>>;

  async function wire(useComponents: boolean): Promise<void> {
    const logger = capturedLogger();
    records = logger.records;
    const queries = {
      successfulCommit: async (commitHash: string) => (commits.get(commitHash) ?? null) as BuildDoc | null,
    } as unknown as DlrnQueries;
    const config = { default: { datadir: root, useComponents, reponame: null } } as unknown as DlrnConfig;
    follower = new PromotionLinksFollower(store, config, logger.log);
    promoter = new Promoter(queries, config, store, new UuidV7IdGenerator(), new SystemClock(), follower, logger.log);
  }

  const commit = (commitHash: string, repoDir: string, component: string | null = null, flags = 0) =>
    commits.set(commitHash, { commitHash, distroHash: 'd1', extendedHash: null, component, repoDir, flags });
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => null,
      (error: unknown) => error as PromotionRefusedError,
    );
  const stream = async (streamId: string): Promise<RecordedEvent[]> => store.readStream(streamId);

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'dlrn-promoter-'));
    repos = join(root, 'repos');
    store = new Store(join(root, 'events.sqlite'));
    commits = new Map();
  });
  afterEach(async () => {
    follower.onModuleDestroy();
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  describe('without components', () => {
    beforeEach(async () => {
      for (const dir of ['aa/aa/aaaa_d1', 'bb/bb/bbbb_d1']) await mkdir(join(repos, dir), { recursive: true });
      commit('aaaa', 'aa/aa/aaaa_d1');
      commit('bbbb', 'bb/bb/bbbb_d1');
      await wire(false);
    });

    it('records a batch in the order given, as the user, moves every link, and carries no aggregate', async () => {
      const outcome = await promoter.promote([request('aaaa', 'tested'), request('bbbb', 'candidate')], 'ci', true);
      expect(outcome.recorded.map((r) => [r.promotionName, r.repoDir, r.user, r.aggregateHash])).toEqual([
        ['tested', 'aa/aa/aaaa_d1', 'ci', null],
        ['candidate', 'bb/bb/bbbb_d1', 'ci', null],
      ]);
      expect(outcome.position).toBe(await store.headPosition());
      expect(outcome.linkError).toBeNull();
      expect(await readlink(join(repos, 'tested'))).toBe('aa/aa/aaaa_d1');
      expect(await readlink(join(repos, 'candidate'))).toBe('bb/bb/bbbb_d1');
      expect(records).toEqual([]);
    });

    describe('when the log refuses the append', () => {
      it('logs the streams, answers why without internals, and moves no link', async () => {
        store.refuse = new StorageError('event log', 'full');
        const error = await refusal(promoter.promote([request('aaaa', 'tested')], 'ci', false));
        expect(error).toBeInstanceOf(PromotionRefusedError);
        expect(error).toMatchObject({
          code: 'PROMOTION_NOT_RECORDED',
          message: 'Promotion not recorded: the event log is full. No link was moved.',
          details: { full: true },
        });
        expect(records.map((r) => [r.level, r.msg, r['streams']])).toEqual([
          [50, 'promotion not recorded', ['promotion-tested']],
        ]);
        expect(await readlink(join(repos, 'tested')).catch(() => null)).toBeNull();
      });

      it('names the first item of a batch, says the batch rolled back, and tells a read-only log from a full one', async () => {
        store.refuse = new StorageError('event log', 'read-only');
        const error = await refusal(
          promoter.promote([request('aaaa', 'tested'), request('bbbb', 'candidate')], 'ci', true),
        );
        expect(error).toMatchObject({
          message:
            'Promotion of tested not recorded: the event log is read-only. All previously created symlinks have been rolled back.',
          details: { full: false },
        });
      });

      it('answers a generic reason for an error that is not the storage', async () => {
        store.refuse = new Error('SQLITE_CORRUPT at /srv/secret/path');
        const error = await refusal(promoter.promote([request('aaaa', 'tested')], 'ci', false));
        expect(error?.message).toBe('Promotion not recorded: the event store refused the write. No link was moved.');
      });
    });

    describe('when a link cannot follow the log (it is retried later)', () => {
      it('keeps the promotions and says so, for one or for a batch, naming the error code', async () => {
        follower.links.movePointer = () => Promise.reject(Object.assign(new Error('denied'), { code: 'EACCES' }));
        const one = await promoter.promote([request('aaaa', 'tested')], 'ci', false);
        expect(one.linkError).toMatchObject({
          code: 'PROMOTION_LINK_LAGGING',
          message: 'Symlink creation failed with error: EACCES. The promotion is recorded; the link will be retried.',
        });
        const both = await promoter.promote([request('aaaa', 'a'), request('bbbb', 'b')], 'ci', true);
        expect(both.linkError?.message).toBe(
          'Symlink creation failed with error: EACCES; EACCES. The promotions are recorded; the link will be retried.',
        );
        expect((await stream('promotion-tested')).map((e) => e.type)).toEqual(['RepoPromoted']);
      });
    });

    describe('when the request cannot be promoted', () => {
      it('refuses an unknown or purged commit, naming the item in a batch only', async () => {
        commit('pppp', 'pp/pp/pppp_d1', null, FLAG_PURGED);
        expect(await refusal(promoter.promote([request('nope', 'x')], 'ci', false))).toMatchObject({
          code: 'PROMOTION_COMMIT_NOT_FOUND',
          message: 'commit_hash+distro_hash+extended_hash combination not found',
        });
        expect(await refusal(promoter.promote([request('nope', 'x')], 'ci', true))).toMatchObject({
          message: 'commit_hash+distro_hash+extended_hash combination not found for nope_d1_None',
        });
        expect(await refusal(promoter.promote([request('pppp', 'x')], 'ci', false))).toMatchObject({
          code: 'PROMOTION_PURGED',
          message: 'commit_hash+distro_hash+extended_hash has been purged, cannot promote it',
        });
        expect(await refusal(promoter.promote([request('pppp', 'x')], 'ci', true))).toMatchObject({
          message: 'commit_hash+distro_hash+extended_hash pppp_d1_None has been purged, cannot promote it',
        });
      });

      it('refuses a name a file of the repos directory holds: taken alone, impossible in a batch', async () => {
        await writeFile(join(repos, 'skiplist.txt'), 'x');
        expect(await refusal(promoter.promote([request('aaaa', 'skiplist.txt')], 'ci', false))).toMatchObject({
          code: 'PROMOTION_NAME_TAKEN',
          message: 'Invalid promote_name skiplist.txt: a file or directory of that name exists',
        });
        expect(await refusal(promoter.promote([request('aaaa', 'skiplist.txt')], 'ci', true))).toMatchObject({
          code: 'PROMOTION_LINK_IMPOSSIBLE',
          message:
            'Symlink creation failed with error: skiplist.txt is a file or directory of the repos directory, not a promotion link. All previously created symlinks have been rolled back.',
        });
      });

      it('refuses a build whose repository is gone from the disk, and records nothing', async () => {
        commit('gone', 'gg/gg/gone_d1');
        expect(await refusal(promoter.promote([request('gone', 'tested')], 'ci', false))).toMatchObject({
          code: 'PROMOTION_LINK_IMPOSSIBLE',
          message: 'Symlink creation failed with error: the repository gg/gg/gone_d1 is missing on disk',
        });
        expect(await refusal(promoter.promote([request('aaaa', 'a'), request('gone', 'b')], 'ci', true))).toMatchObject(
          {
            message:
              'Symlink creation failed with error: the repository gg/gg/gone_d1 is missing on disk. All previously created symlinks have been rolled back.',
          },
        );
        expect(await stream('promotion-a')).toEqual([]);
      });
    });
  });

  describe('with components', () => {
    const COMMON_A = 'component/common/aa/aa/aaaa_d1';
    const COMMON_B = 'component/common/bb/bb/bbbb_d1';
    const TOOLS_C = 'component/tools/cc/cc/cccc_d1';
    const TOOLS_E = 'component/tools/ee/ee/eeee_d1';

    beforeEach(async () => {
      for (const [dir, repo] of [
        [COMMON_A, '[common-a]'],
        [COMMON_B, '[common-b]'],
        [TOOLS_C, '[tools-c]'],
        [TOOLS_E, '[tools-e]'],
      ] as const) {
        await mkdir(join(repos, dir), { recursive: true });
        await writeFile(join(repos, dir, 'delorean.repo'), repo);
      }
      // The tools component's `tested` already points at its build c.
      await symlink('cc/cc/cccc_d1', join(repos, 'component/tools/tested'));
      commit('aaaa', COMMON_A, 'common');
      commit('bbbb', COMMON_B, 'common');
      commit('cccc', TOOLS_C, 'tools');
      commit('eeee', TOOLS_E, 'tools');
      await wire(true);
    });

    const aggregateOf = async (name: string) => ({
      repo: await readFile(join(repos, name, 'delorean.repo'), 'utf8'),
      md5: await readFile(join(repos, name, 'delorean.repo.md5'), 'utf8'),
    });

    it("records the aggregate of the name with the promoted component's new repository, and writes it", async () => {
      const outcome = await promoter.promote([request('bbbb', 'tested')], 'ci', false);
      const written = await aggregateOf('tested');
      expect(written.repo).toBe('[common-b]\n[tools-c]\n');
      expect(outcome.recorded[0]!.aggregateHash).toBe(written.md5);
      expect(await readlink(join(repos, 'component/common/tested'))).toBe('bb/bb/bbbb_d1');
      const [published] = await stream('aggregate-tested');
      expect(published!.data).toMatchObject({ name: 'tested', aggregateHash: written.md5 });
      expect(records).toEqual([]);
    });

    it("gives only a batch's last item the aggregate, of its name, with every component the batch moves", async () => {
      const outcome = await promoter.promote(
        [request('aaaa', 'tested'), request('eeee', 'tested'), request('bbbb', 'other'), request('eeee', 'other')],
        'ci',
        true,
      );
      expect((await aggregateOf('other')).repo).toBe('[common-b]\n[tools-e]\n');
      expect(outcome.recorded.map((r) => r.aggregateHash)).toEqual([
        null,
        null,
        null,
        (await aggregateOf('other')).md5,
      ]);
      expect(await stream('aggregate-tested')).toEqual([]);
    });

    it("leaves out of a name's aggregate the components the batch promotes under other names", async () => {
      await promoter.promote([request('aaaa', 'tested'), request('eeee', 'other')], 'ci', true);
      expect((await aggregateOf('other')).repo).toBe('[tools-e]\n');
    });

    it('warns when the aggregate written differs from the one recorded (a component moved meanwhile)', async () => {
      store.afterRecord = async () => {
        await rm(join(repos, 'component/tools/tested'));
        await symlink('ee/ee/eeee_d1', join(repos, 'component/tools/tested'));
      };
      const outcome = await promoter.promote([request('bbbb', 'tested')], 'ci', false);
      const written = await aggregateOf('tested');
      expect(written.repo).toBe('[common-b]\n[tools-e]\n');
      expect(records.map((r) => [r.level, r.msg, r['name'], r['published'], r['recorded']])).toEqual([
        [40, 'aggregate changed meanwhile', 'tested', written.md5, outcome.recorded[0]!.aggregateHash],
      ]);
    });

    it('does not warn of a changed aggregate when a link lags: the difference is the lag', async () => {
      store.afterRecord = async () => {
        await rm(join(repos, 'component/tools/tested'));
        await symlink('ee/ee/eeee_d1', join(repos, 'component/tools/tested'));
      };
      follower.links.movePointer = () => Promise.reject(new Error('no code'));
      const outcome = await promoter.promote([request('bbbb', 'tested')], 'ci', false);
      expect(outcome.linkError?.message).toBe(
        'Symlink creation failed with error: the link could not be moved. The promotion is recorded; the link will be retried.',
      );
      expect(records.map((r) => r.msg)).toEqual(['promotion link could not follow the log']);
    });

    it('logs an aggregate that could not be recorded, and the promotion stands', async () => {
      store.refuseAggregate = true;
      const outcome = await promoter.promote([request('bbbb', 'tested')], 'ci', false);
      expect(outcome.linkError).toBeNull();
      expect((await stream('promotion-tested@component/common')).map((e) => e.type)).toEqual(['RepoPromoted']);
      expect(records.map((r) => [r.level, r.msg, r['name']])).toEqual([
        [50, 'aggregated repository not written', 'tested'],
      ]);
    });

    it('carries no aggregate when no component has a repository file under the name', async () => {
      await rm(join(repos, COMMON_A, 'delorean.repo'));
      await rm(join(repos, 'component/tools/tested'));
      const outcome = await promoter.promote([request('aaaa', 'fresh')], 'ci', false);
      expect(outcome.recorded[0]!.aggregateHash).toBeNull();
      expect(await stream('aggregate-fresh')).toEqual([]);
    });
  });
});
