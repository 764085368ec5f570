import { mkdir, mkdtemp, readlink, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BuildDoc } from '#domain/projections/index.js';
import type { AppendResult, StreamAppend } from '#domain/shared/event-store.port.js';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { SystemClock } from '#infrastructure/ids/system-clock.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import { Promoter } from '#application/promotions/promoter.js';
import { PromotionLinksFollower } from '#application/promotions/promotion-links.follower.js';
import type { DlrnQueries } from '#application/queries/dlrn-queries.js';
import { DlrnHttpError } from '../http/dlrn-http.error.js';
import { dlrnAnswerTo } from './dlrn-refusals.js';

const REPO = 'aa/aa/aaaa_11111111';

/** The real store, plus a directory that appears at the link's name right after the append. */
class StoreWithIntruder extends SqliteEventStore {
  intruder: string | null = null;

  override async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    const result = await super.appendToStreams(appends);
    if (this.intruder !== null) await mkdir(this.intruder);
    this.intruder = null;
    return result;
  }
}

describe('a promotion whose link cannot follow the log', () => {
  let root: string;
  let store: StoreWithIntruder;
  let promoter: Promoter;
  let follower: PromotionLinksFollower;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'dlrn-promote-follow-'));
    await mkdir(join(root, 'repos', REPO), { recursive: true });
    store = new StoreWithIntruder(join(root, 'events.sqlite'));
    const commit = {
      commitHash: 'aaaa',
      distroHash: '1111',
      extendedHash: null,
      component: null,
      repoDir: REPO,
      flags: 0,
    };
    const queries = { successfulCommit: async () => commit as unknown as BuildDoc } as unknown as DlrnQueries;
    const config = { default: { datadir: root, useComponents: false } } as unknown as DlrnConfig;
    const log = pino({ level: 'silent' });
    follower = new PromotionLinksFollower(store, config, log);
    promoter = new Promoter(queries, config, store, new UuidV7IdGenerator(), new SystemClock(), follower, log);
  });
  afterEach(async () => {
    follower.onModuleDestroy();
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  describe('when a directory takes the name between the checks and the move', () => {
    it('answers 500 without paths, keeps the promotion, and moves the link once the way is clear', async () => {
      store.intruder = join(root, 'repos', 'blocked');
      const request = { commitHash: 'aaaa', distroHash: '1111', extendedHash: null, promoteName: 'blocked' };
      const outcome = await promoter.promote([request], 'ci', false);
      // What the API answers once the views show the promotion.
      const answer = dlrnAnswerTo(outcome.linkError);
      expect(answer).toBeInstanceOf(DlrnHttpError);
      expect(answer).toMatchObject({
        status: 500,
        message:
          'Symlink creation failed with error: REPO_PUBLISH_FAILED. The promotion is recorded; the link will be retried.',
      });
      expect(await store.readStream('promotion-blocked')).toHaveLength(1);

      await rmdir(join(root, 'repos', 'blocked'));
      // The first retry comes a second after the failure.
      const deadline = Date.now() + 5_000;
      let link: string | null = null;
      while (link === null && Date.now() < deadline) {
        link = await readlink(join(root, 'repos', 'blocked')).catch(() => null);
        if (link === null) await new Promise((done) => setTimeout(done, 100));
      }
      expect(link).toBe(REPO);
    });
  });
});
