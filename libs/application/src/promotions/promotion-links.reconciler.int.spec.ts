import { lstat, lutimes, mkdir, mkdtemp, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testEvent } from '../../../../test/support/events.js';
import { firstPromotionRolledBack, repoPromoted } from '../../../../test/support/promotion-fixtures.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { PromotionLinksReconciler } from './promotion-links.reconciler.js';

const A = 'aa/aa/aaaa_11111111';
const B = 'bb/bb/bbbb_22222222';

const exists = (path: string) =>
  lstat(path).then(
    () => true,
    () => false,
  );

describe('promotion links reconciler', () => {
  let root: string;
  let repos: string;
  let store: SqliteEventStore;
  let reconciler: PromotionLinksReconciler;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'dlrn-reconcile-'));
    repos = join(root, 'repos');
    for (const dir of [A, B, `component/tripleo/${A}`]) await mkdir(join(repos, dir), { recursive: true });
    store = new SqliteEventStore(join(root, 'events.sqlite'));
    reconciler = new PromotionLinksReconciler(store, repos, false);
  });
  afterEach(async () => {
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  const promote = (name: string, repoDir: string, component: string | null = null) =>
    store.append(`promotion-${name}`, [testEvent('RepoPromoted', repoPromoted(name, repoDir, component))]);

  describe('when a crash left temporary links of a move behind', () => {
    it('removes those a minute old and leaves a fresh one (a move in progress) and other files', async () => {
      await promote('name', A);
      const stale = join(repos, '.dlrn-link.0123456789abcdef.tmp');
      const fresh = join(repos, '.dlrn-link.fedcba9876543210.tmp');
      await symlink(A, stale);
      await symlink(A, fresh);
      await writeFile(join(repos, '.dlrn-link.notes.tmp'), 'kept');
      // Old links whose names only look like a move's: another tool's, never swept.
      const lookalikes = [
        'x.dlrn-link.0123456789abcdef.tmp',
        '.dlrn-link.0123456789abcdef.tmp.old',
        '.dlrn-link.0123.tmp',
        '.dlrn-link.0123456789abcdeg.tmp',
      ].map((name) => join(repos, name));
      const old = new Date(Date.now() - 120_000);
      for (const link of [stale, ...lookalikes]) {
        if (link !== stale) await symlink(A, link);
        await lutimes(link, old, old);
      }
      await reconciler.reconcileAll();
      expect(await exists(stale)).toBe(false);
      expect(await exists(fresh)).toBe(true);
      expect(await exists(join(repos, '.dlrn-link.notes.tmp'))).toBe(true);
      for (const link of lookalikes) expect(await exists(link)).toBe(true);
    });

    it("sweeps a component's folder too, with components on", async () => {
      await store.append('promotion-tested@component/tripleo', [
        testEvent('RepoPromoted', repoPromoted('tested', `component/tripleo/${A}`, 'tripleo')),
      ]);
      const stale = join(repos, 'component/tripleo/.dlrn-link.0123456789abcdef.tmp');
      await symlink(A, stale);
      const old = new Date(Date.now() - 120_000);
      await lutimes(stale, old, old);
      await new PromotionLinksReconciler(store, repos, true).reconcileAll();
      expect(await exists(stale)).toBe(false);
    });
  });

  describe('when links disagree with the log at start', () => {
    it('moves a link pointed elsewhere, makes a missing one, and leaves agreeing ones', async () => {
      await promote('moved', A);
      await promote('moved', B);
      await promote('missing', A);
      await promote('agrees', A);
      await symlink(A, join(repos, 'moved'));
      await symlink(A, join(repos, 'agrees'));
      const report = await reconciler.reconcileAll();
      expect(report).toEqual({ names: 3, fixed: 2, failed: [] });
      expect(await readlink(join(repos, 'moved'))).toBe(B);
      expect(await readlink(join(repos, 'missing'))).toBe(A);
      expect(await readlink(join(repos, 'agrees'))).toBe(A);
    });

    it('removes the link of a name a rolled-back batch promoted for the first time', async () => {
      await promote('undone', A);
      await store.append('promotion-undone', [testEvent('PromotionRolledBack', firstPromotionRolledBack('undone', A))]);
      await symlink(A, join(repos, 'undone'));
      await reconciler.reconcileAll();
      expect(await exists(join(repos, 'undone'))).toBe(false);
    });

    it('never touches current, consistent, reserved names or a real directory', async () => {
      // Histories imported from DLRN may hold such names; the links are not the promotions'.
      await promote('current', A);
      await promote('old_', A);
      await symlink(B, join(repos, 'current'));
      await writeFile(join(repos, 'skiplist.txt'), 'x');
      await promote('skiplist.txt', A);
      const report = await reconciler.reconcileAll();
      expect(await readlink(join(repos, 'current'))).toBe(B);
      expect(await exists(join(repos, 'old_'))).toBe(false);
      expect((await lstat(join(repos, 'skiplist.txt'))).isFile()).toBe(true);
      expect(report.failed.map((f) => f.streamId)).toEqual(['promotion-skiplist.txt']);
      expect(report.fixed).toBe(0);
      // Asked to follow one such name directly, it leaves the link alone all the same.
      expect(await reconciler.follow('promotion-current')).toEqual({ dir: '', name: 'current', target: A });
      expect(await readlink(join(repos, 'current'))).toBe(B);
    });

    it('counts nothing fixed for a rolled-back name that has no link, as the log says', async () => {
      await promote('undone', A);
      await store.append('promotion-undone', [testEvent('PromotionRolledBack', firstPromotionRolledBack('undone', A))]);
      expect(await reconciler.reconcileAll()).toEqual({ names: 1, fixed: 0, failed: [] });
    });

    it('reads only promotion events: other streams of the log are not links', async () => {
      await store.append('build-nova@c1_d1', [testEvent('CommitDiscovered', { package: 'nova' })]);
      await promote('name', A);
      await store.append('aggregate-name', [testEvent('AggregateRepoPublished', { name: 'name' })]);
      expect(await reconciler.reconcileAll()).toEqual({ names: 1, fixed: 1, failed: [] });
      expect(await readlink(join(repos, 'name'))).toBe(A);
    });

    it('reads a log of more than one page (10,000 events) to its end', async () => {
      const many = Array.from({ length: 10_000 }, (_, i) =>
        testEvent('RepoPromoted', repoPromoted('busy', i % 2 === 0 ? A : B)),
      );
      await store.append('promotion-busy', many);
      await promote('late', A);
      expect(await reconciler.reconcileAll()).toEqual({ names: 2, fixed: 2, failed: [] });
      expect(await readlink(join(repos, 'busy'))).toBe(B);
      expect(await readlink(join(repos, 'late'))).toBe(A);
    });

    it('reports a link whose repository is gone and still fixes the others', async () => {
      await promote('purged', 'zz/zz/gone_00000000');
      await promote('fine', B);
      const report = await reconciler.reconcileAll();
      expect(report.failed.map((f) => f.streamId)).toEqual(['promotion-purged']);
      expect(await readlink(join(repos, 'fine'))).toBe(B);
    });

    it("places a component's link in its folder with components on", async () => {
      await store.append('promotion-tested@component/tripleo', [
        testEvent('RepoPromoted', repoPromoted('tested', `component/tripleo/${A}`, 'tripleo')),
      ]);
      await new PromotionLinksReconciler(store, repos, true).reconcileAll();
      expect(await readlink(join(repos, 'component/tripleo/tested'))).toBe(A);
    });
  });

  describe('when a link already points where the log says', () => {
    it('leaves it in place: the same link, not a new one renamed over it', async () => {
      await promote('steady', A);
      await symlink(A, join(repos, 'steady'));
      const before = await lstat(join(repos, 'steady'));
      expect(await reconciler.follow('promotion-steady')).toEqual({ dir: '', name: 'steady', target: A });
      expect((await lstat(join(repos, 'steady'))).ino).toBe(before.ino);
    });
  });

  describe('when the log never stops moving while a link is moved', () => {
    it('gives up after 20 moves, saying so', async () => {
      await promote('restless', A);
      let reads = 0;
      const restless = Object.create(store) as SqliteEventStore;
      restless.readStream = async (...args: Parameters<SqliteEventStore['readStream']>) => {
        const read = await store.readStream(...args);
        reads += 1;
        await promote('restless', reads % 2 === 0 ? A : B);
        return read;
      };
      await expect(new PromotionLinksReconciler(restless, repos, false).follow('promotion-restless')).rejects.toThrow(
        'promotion promotion-restless: the log kept moving while its link was moved',
      );
      expect(reads).toBe(21);
    });
  });

  describe('when the log moves on while a link is being moved', () => {
    it('moves the link again to the newest promotion before it returns', async () => {
      await promote('raced', A);
      // Another replica appends right after this process read the stream, before it moves.
      let interleaved = false;
      const racing = Object.create(store) as SqliteEventStore;
      racing.readStream = async (...args: Parameters<SqliteEventStore['readStream']>) => {
        const read = await store.readStream(...args);
        if (!interleaved) {
          interleaved = true;
          await promote('raced', B);
        }
        return read;
      };
      const link = await new PromotionLinksReconciler(racing, repos, false).follow('promotion-raced');
      expect(interleaved).toBe(true);
      expect(link).toEqual({ dir: '', name: 'raced', target: B });
      expect(await readlink(join(repos, 'raced'))).toBe(B);
    });
  });
});
