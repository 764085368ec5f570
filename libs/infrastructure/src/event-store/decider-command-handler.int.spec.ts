import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDecider } from '#domain/build/build.decider.js';
import { buildStreamId, commitRef } from '#domain/build/commit-ref.js';
import { SystemClock } from '../ids/system-clock.js';
import { UuidV7IdGenerator } from '../ids/uuid-v7.id-generator.js';
import { commitData } from '../../../../test/support/events.js';
import { DeciderCommandHandler } from './decider-command-handler.js';
import { SqliteEventStore } from './sqlite/sqlite-event-store.adapter.js';

const commit = commitData({
  package: 'python-foo',
  project: 'foo',
  commitHash: 'a'.repeat(40),
  distroHash: 'b'.repeat(40),
});
const stream = buildStreamId('python-foo', commitRef(commit.commitHash, commit.distroHash));
const context = { correlationId: 'run-1', causationId: null, actor: 'builder:test' };

describe('command handling over the SQLite store', () => {
  let dir: string;
  let stores: SqliteEventStore[];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dlrn-cmd-'));
    stores = [];
  });
  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });
  const handlerOn = () => {
    const store = new SqliteEventStore(join(dir, 'events.sqlite'));
    stores.push(store);
    return { store, handler: new DeciderCommandHandler(store, new UuidV7IdGenerator(), new SystemClock()) };
  };

  describe('when a commit is discovered twice', () => {
    it('stores one CommitDiscovered and reports the repeat as a no-op', async () => {
      const { store, handler } = handlerOn();
      const first = await handler.handle(stream, buildDecider, { type: 'DiscoverCommit', commit }, context);
      const again = await handler.handle(stream, buildDecider, { type: 'DiscoverCommit', commit }, context);
      expect(first.events).toHaveLength(1);
      expect(first.events[0]!.metadata).toMatchObject({
        schemaVersion: 2,
        correlationId: 'run-1',
        actor: 'builder:test',
      });
      expect(again).toEqual({ events: [], append: null });
      expect(await store.readStream(stream)).toHaveLength(1);
    });
  });

  describe('when two builders race to claim the same commit', () => {
    it('grants exactly one claim; the other is told who holds it', async () => {
      const a = handlerOn();
      const b = handlerOn();
      await a.handler.handle(stream, buildDecider, { type: 'DiscoverCommit', commit }, context);
      const claim = (buildId: string) =>
        ({ type: 'ClaimBuild', buildId, builderId: buildId, now: new Date(), leaseMs: 60_000 }) as const;
      const outcomes = await Promise.allSettled([
        a.handler.handle(stream, buildDecider, claim('builder-a'), context),
        b.handler.handle(stream, buildDecider, claim('builder-b'), context),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const loser = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      expect(loser.reason).toMatchObject({ code: 'BUILD_ALREADY_CLAIMED' });
      const events = await a.store.readStream(stream);
      expect(events.map((e) => e.type)).toEqual(['CommitDiscovered', 'BuildClaimed']);
    });
  });
});
