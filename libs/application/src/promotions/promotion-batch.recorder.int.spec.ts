import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PromoteRepo } from '#domain/promotion/promotion.decider.js';
import { promotionStreamId, type RepoPromoted } from '#domain/promotion/promotion.events.js';
import { StorageError } from '#domain/shared/errors.js';
import { ConcurrencyError, type AppendResult, type StreamAppend } from '#domain/shared/event-store.port.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { SystemClock } from '#infrastructure/ids/system-clock.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import { testEvent } from '../../../../test/support/events.js';
import { PromotionBatchRecorder, type PromotionItem } from './promotion-batch.recorder.js';

const item = (name: string, repoDir: string): PromotionItem => {
  const data: PromoteRepo['data'] = {
    promotionName: name,
    commitHash: 'c',
    distroHash: 'd',
    extendedHash: null,
    component: null,
    repoDir,
    timestamp: 1_700_000_000,
    user: 'ci',
    aggregateHash: null,
  };
  return { streamId: promotionStreamId(name), command: { type: 'PromoteRepo', data } };
};
const context = { correlationId: 'batch-1', causationId: null, actor: 'ci', trigger: 'api' };

/** The real store; `before` runs once before its next multi-stream append (a rival, a failure). */
class Store extends SqliteEventStore {
  before: (() => Promise<void>) | null = null;
  /** Runs before every multi-stream append (a rival that never tires). */
  beforeEach: (() => Promise<void>) | null = null;
  appends = 0;

  override async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    this.appends += 1;
    const before = this.before;
    this.before = null;
    if (before !== null) await before();
    if (this.beforeEach !== null) await this.beforeEach();
    return super.appendToStreams(appends);
  }
}

const repoDirs = async (store: Store, name: string) =>
  (await store.readStream(promotionStreamId(name))).map((e) => (e.data as RepoPromoted['data']).repoDir);

describe('a batch of promotions', () => {
  let root: string;
  let store: Store;
  let recorder: PromotionBatchRecorder;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'dlrn-promote-batch-'));
    store = new Store(join(root, 'events.sqlite'));
    recorder = new PromotionBatchRecorder(store, new UuidV7IdGenerator(), new SystemClock());
    await store.append(promotionStreamId('kept'), [testEvent('RepoPromoted', item('kept', 'r/0').command.data)]);
  });
  afterEach(async () => {
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  it('records every item in one append, each knowing what it replaced, in the order given', async () => {
    const batch = await recorder.record([item('kept', 'r/1'), item('fresh', 'r/2'), item('kept', 'r/3')], context);
    expect(store.appends).toBe(1);
    expect(batch.streamIds).toEqual(['promotion-kept', 'promotion-fresh']);
    expect(batch.events.map((e) => [e.data.promotionName, e.data.repoDir, e.data.previousRepoDir])).toEqual([
      ['kept', 'r/1', 'r/0'],
      ['fresh', 'r/2', null],
      ['kept', 'r/3', 'r/1'],
    ]);
    expect(batch.events.every((e) => e.metadata.correlationId === 'batch-1')).toBe(true);
    expect(batch.position).toBe(await store.headPosition());
    expect(await repoDirs(store, 'kept')).toEqual(['r/0', 'r/1', 'r/3']);
    expect(await repoDirs(store, 'fresh')).toEqual(['r/2']);
  });

  it('knows what a name pointed at last when it was promoted many times before', async () => {
    await store.append(promotionStreamId('kept'), [testEvent('RepoPromoted', item('kept', 'r/5').command.data)]);
    const batch = await recorder.record([item('kept', 'r/6')], context);
    expect(batch.events.map((e) => e.data.previousRepoDir)).toEqual(['r/5']);
  });

  it('records nothing of the batch when the store refuses the append', async () => {
    store.before = async () => {
      throw new StorageError('event log', 'full');
    };
    await expect(recorder.record([item('kept', 'r/1'), item('fresh', 'r/2')], context)).rejects.toBeInstanceOf(
      StorageError,
    );
    expect(await repoDirs(store, 'kept')).toEqual(['r/0']);
    expect(await repoDirs(store, 'fresh')).toEqual([]);
  });

  it('decides the whole batch again when another writer promoted one of its names meanwhile', async () => {
    store.before = async () => {
      await store.append(promotionStreamId('fresh'), [testEvent('RepoPromoted', item('fresh', 'r/9').command.data)]);
    };
    const batch = await recorder.record([item('kept', 'r/1'), item('fresh', 'r/2')], context);
    expect(store.appends).toBe(2);
    expect(batch.events.map((e) => e.data.previousRepoDir)).toEqual(['r/0', 'r/9']);
    expect(await repoDirs(store, 'kept')).toEqual(['r/0', 'r/1']);
    expect(await repoDirs(store, 'fresh')).toEqual(['r/9', 'r/2']);
  });

  it('gives up after 10 attempts when another writer promotes one of its names before each append', async () => {
    let rivals = 0;
    store.beforeEach = async () => {
      rivals += 1;
      await store.append(promotionStreamId('kept'), [
        testEvent('RepoPromoted', item('kept', `r/x${rivals}`).command.data),
      ]);
    };
    await expect(recorder.record([item('kept', 'r/1')], context)).rejects.toBeInstanceOf(ConcurrencyError);
    expect(store.appends).toBe(10);
    expect(await repoDirs(store, 'kept')).toEqual(['r/0', ...Array.from({ length: 10 }, (_, i) => `r/x${i + 1}`)]);
  });
});
