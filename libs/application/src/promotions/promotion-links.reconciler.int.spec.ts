import { lstat, lutimes, mkdir, mkdtemp, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RepoPromoted } from '#domain/promotion/promotion.events.js';
import { testEvent } from '../../../../test/support/events.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { PromotionLinksReconciler } from './promotion-links.reconciler.js';

const A = 'aa/aa/aaaa_11111111';
const B = 'bb/bb/bbbb_22222222';

const promoted = (name: string, repoDir: string, component: string | null = null): RepoPromoted['data'] => ({
  promotionName: name,
  commitHash: 'c',
  distroHash: 'd',
  extendedHash: null,
  component,
  repoDir,
  previousRepoDir: null,
  timestamp: 1_700_000_000,
  user: 'ci',
  aggregateHash: null,
});

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
    store.append(`promotion-${name}`, [testEvent('RepoPromoted', promoted(name, repoDir, component))]);

  describe('when a crash left temporary links of a move behind', () => {
    it('removes those a minute old and leaves a fresh one (a move in progress) and other files', async () => {
      await promote('name', A);
      const stale = join(repos, '.dlrn-link.0123456789abcdef.tmp');
      const fresh = join(repos, '.dlrn-link.fedcba9876543210.tmp');
      await symlink(A, stale);
      await symlink(A, fresh);
      await writeFile(join(repos, '.dlrn-link.notes.tmp'), 'kept');
      const old = new Date(Date.now() - 120_000);
      await lutimes(stale, old, old);
      await reconciler.reconcileAll();
      expect(await exists(stale)).toBe(false);
      expect(await exists(fresh)).toBe(true);
      expect(await exists(join(repos, '.dlrn-link.notes.tmp'))).toBe(true);
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
      await store.append('promotion-undone', [
        testEvent('PromotionRolledBack', {
          promotionName: 'undone',
          component: null,
          promotionEventIds: [],
          rolledBackRepoDir: A,
          repoDir: null,
          restored: null,
          timestamp: 1_700_000_001,
          user: 'ci',
        }),
      ]);
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
        testEvent('RepoPromoted', promoted('tested', `component/tripleo/${A}`, 'tripleo')),
      ]);
      await new PromotionLinksReconciler(store, repos, true).reconcileAll();
      expect(await readlink(join(repos, 'component/tripleo/tested'))).toBe(A);
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
