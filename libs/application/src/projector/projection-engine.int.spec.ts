import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ALL_PROJECTIONS } from '#domain/projections/index.js';
import type { ProjectionDefinition, ReadModelStore } from '#domain/projections/projection.js';
import { testEvent } from '../../../../test/support/events.js';
import { crashingStore, dumpReadModels, laggingStore } from '../../../../test/support/projection-dump.js';
import { playHistory } from '../../../../test/support/random-history.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { openSqliteReadModelStore } from '#infrastructure/read-model/kysely-read-model.store.js';
import { engineCaughtUp, waitForCheckpoints } from '../../../../test/support/projector-wait.js';
import { LeaseLostError, ProjectionEngine } from './projection-engine.js';

/** A tiny projection counting UserCreated events, in two versions. */
const counter = (version: number): ProjectionDefinition<{ n: number; lastPosition: number }> => ({
  name: 'counter',
  version,
  eventTypes: ['UserCreated'],
  keys: () => ['all'],
  evolve: (doc, event) => ({ n: (doc?.n ?? 0) + version, lastPosition: event.position }),
  columns: { n: 'integer' },
  row: (doc) => ({ n: doc.n }),
  indexes: [],
});

describe('the projection engine', () => {
  let dir: string;
  let events: SqliteEventStore;
  let views: ReadModelStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dlrn-engine-'));
    events = new SqliteEventStore(join(dir, 'events.sqlite'), { pollIntervalMs: 10 });
    views = await openSqliteReadModelStore(join(dir, 'views.sqlite'));
  });
  afterEach(async () => {
    await views.close();
    await events.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('when a client waits for its own write (read-your-writes)', () => {
    it('resolves once the live projector has passed the position, and gives up after the bound', async () => {
      const engine = new ProjectionEngine(events, views, ALL_PROJECTIONS);
      await engine.start();
      const stop = new AbortController();
      const running = engine.run({ signal: stop.signal });
      try {
        const { position } = await events.append('user-ci', [
          testEvent('UserCreated', { username: 'ci', passwordHash: 'x' }),
        ]);
        expect(await engineCaughtUp(engine, position, 5000)).toBe(true);
        expect(await waitForCheckpoints(views, ALL_PROJECTIONS, position, 1000)).toBe(true);
        const users = ALL_PROJECTIONS.find((p) => p.name === 'users')!;
        expect((await views.get(users, 'ci'))?.key).toBe('ci');
        expect(await engineCaughtUp(engine, position + 1000, 50)).toBe(false);
        expect(await waitForCheckpoints(views, ALL_PROJECTIONS, position + 1000, 50)).toBe(false);
      } finally {
        stop.abort();
        await running;
        await engine.stop();
      }
    });
  });

  describe('when a second projector starts on the same read models', () => {
    it('leaves the locked projections to the first one', async () => {
      const first = new ProjectionEngine(events, views, [counter(1)], { owner: 'host-a' });
      const second = new ProjectionEngine(events, views, [counter(1)], { owner: 'host-b' });
      expect(await first.start()).toEqual([]);
      expect(await second.start()).toEqual(['counter']);
      await first.stop();
      expect(await second.start()).toEqual([]);
      await second.stop();
    });
  });

  describe('when two projectors of one process or host start without an owner name', () => {
    it('gives each its own owner, so the second leaves the projections to the first', async () => {
      const first = new ProjectionEngine(events, views, [counter(1)]);
      const second = new ProjectionEngine(events, views, [counter(1)]);
      expect(await first.start()).toEqual([]);
      expect(await second.start()).toEqual(['counter']);
      await first.stop();
      await second.stop();
    });
  });

  describe('when releasing one lock fails on stop (a full disk)', () => {
    it('still releases the others, and says why', async () => {
      let calls = 0;
      const failingFirst = Object.create(views) as ReadModelStore;
      failingFirst.tryLock = async (name, owner, options) => {
        const lock = await views.tryLock(name, owner, options);
        if (lock === null || calls++ > 0) return lock;
        return { ...lock, release: async () => Promise.reject(new Error('disk full')) };
      };
      const engine = new ProjectionEngine(events, failingFirst, [counter(1), { ...counter(1), name: 'other' }]);
      expect(await engine.start()).toEqual([]);
      await expect(engine.stop()).rejects.toThrow('disk full');
      expect(await views.tryLock('other', 'someone-else')).not.toBeNull();
    });
  });

  describe('when the holder of a lease is a dead process of this host', () => {
    it('takes its lease at once instead of waiting for it to expire', async () => {
      const child = spawn(process.execPath, ['-e', '']);
      await new Promise((done) => child.on('exit', done));
      const dead = `projector@${hostname()}:${child.pid}:0badc0de`;
      expect(await views.tryLock('counter', dead)).not.toBeNull();
      const living = `projector@${hostname()}:${process.pid}:0badc0de`;
      expect(await views.tryLock('other', living)).not.toBeNull();
      const engine = new ProjectionEngine(events, views, [counter(1)]);
      expect(await engine.start()).toEqual([]);
      await engine.stop();
      const blocked = new ProjectionEngine(events, views, [{ ...counter(1), name: 'other' }]);
      expect(await blocked.start()).toEqual(['other']);
    });
  });

  describe('when another projector takes over an expired lease while this one runs', () => {
    it('ends the run with LeaseLostError instead of projecting beside it', async () => {
      let clock = Date.now();
      const file = join(dir, 'leased.sqlite');
      const mine = await openSqliteReadModelStore(file, { leaseMs: 1_000, now: () => clock });
      const theirs = await openSqliteReadModelStore(file, { leaseMs: 1_000, now: () => clock });
      try {
        const engine = new ProjectionEngine(events, mine, [counter(1)], { renewEveryMs: 20 });
        expect(await engine.start()).toEqual([]);
        const running = engine.run({});
        clock += 60_000; // this projector stalled past its lease; the other takes it
        expect(await theirs.tryLock('counter', 'projector@elsewhere:1:ab')).not.toBeNull();
        const error = await running.then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(LeaseLostError);
        expect(error).toMatchObject({
          name: 'LeaseLostError',
          projection: 'counter',
          message: 'the lease on projection counter was taken by another projector',
        });
        await engine.stop();
      } finally {
        await mine.close();
        await theirs.close();
      }
    });
  });

  describe('when renewing a lease fails (a full disk) while the projector runs', () => {
    it('says so, keeps running and renews again at the next tick', async () => {
      const lines: string[] = [];
      let renewals = 0;
      const failingRenewal = Object.create(views) as ReadModelStore;
      failingRenewal.tryLock = async (name, owner, options) => {
        const lock = await views.tryLock(name, owner, options);
        if (lock === null) return null;
        return {
          ...lock,
          renew: async () => (renewals++ === 0 ? Promise.reject(new Error('disk full')) : true),
        };
      };
      const engine = new ProjectionEngine(events, failingRenewal, [counter(1)], {
        renewEveryMs: 5,
        log: (line) => lines.push(line),
      });
      expect(await engine.start()).toEqual([]);
      const stop = new AbortController();
      const running = engine.run({ signal: stop.signal });
      await vi.waitFor(() => expect(renewals).toBeGreaterThanOrEqual(3), { timeout: 5000 });
      stop.abort();
      await expect(running).resolves.toBeUndefined();
      await engine.stop();
      // The first tick may come before the first caught-up batch: their order is not the point.
      expect([...lines].sort()).toEqual([
        'projection counter: version 1 active',
        'projector: lease renewal failed (retrying): disk full',
      ]);
    });
  });

  describe('when a projection version is bumped', () => {
    it('builds the new version from zero beside the old one, then switches, drops the old and says so', async () => {
      for (const name of ['a', 'b'])
        await events.append(`user-${name}`, [testEvent('UserCreated', { username: name })]);
      const lines: string[] = [];
      const log = (line: string): void => void lines.push(line);
      const v1 = new ProjectionEngine(events, views, [counter(1)], { log });
      await v1.start();
      await v1.run({ untilCaughtUp: true });
      await v1.stop();
      expect((await views.get(counter(1), 'all'))?.doc.n).toBe(2);
      expect(await views.activeVersion('counter')).toBe(1);
      expect(lines).toEqual(['projection counter: version 1 active']);

      const v2 = new ProjectionEngine(events, views, [counter(2)], { log });
      await v2.start();
      await v2.run({ untilCaughtUp: true });
      await v2.stop();
      expect(await views.activeVersion('counter')).toBe(2);
      expect((await views.get(counter(2), 'all'))?.doc.n).toBe(4);
      expect((await views.checkpoints()).filter((c) => c.name === 'counter').map((c) => c.version)).toEqual([2]);
      expect(lines.slice(1)).toEqual(['projection counter: version 2 active (replaced version 1)']);

      const again = new ProjectionEngine(events, views, [counter(2)], { log });
      await again.start();
      await again.run({ untilCaughtUp: true });
      await again.stop();
      expect(lines).toHaveLength(2);
    });
  });

  describe('when the next batch is folded while the previous one still commits', () => {
    it("takes that batch's documents and build streams from memory, and ends equal to a clean rebuild", async () => {
      // One event per batch: each build event needs the commit its stream discovered one batch
      // earlier, and each result the document the claim created, none of them stored yet.
      await playHistory(events, [
        { kind: 'discover', pkg: 0, commit: 0 },
        { kind: 'claim', pkg: 0, commit: 0, builder: 0 },
        { kind: 'finish', pkg: 0, commit: 0, outcome: 'success', failures: 0 },
        { kind: 'discover', pkg: 1, commit: 0 },
        { kind: 'claim', pkg: 1, commit: 0, builder: 1 },
        { kind: 'finish', pkg: 1, commit: 0, outcome: 'failure', failures: 1 },
        { kind: 'vote', pkg: 0, commit: 0, job: 0, success: true, claim: true },
      ]);
      const stepwise = new ProjectionEngine(events, laggingStore(views), ALL_PROJECTIONS, { batchSize: 1 });
      await stepwise.start();
      await stepwise.run({ untilCaughtUp: true });
      await stepwise.stop();
      const clean = await openSqliteReadModelStore(join(dir, 'clean.sqlite'));
      try {
        const rebuild = new ProjectionEngine(events, clean, ALL_PROJECTIONS);
        await rebuild.start();
        await rebuild.run({ untilCaughtUp: true });
        await rebuild.stop();
        const dump = await dumpReadModels(views, ALL_PROJECTIONS);
        expect((dump['builds'] as { doc: { status: string } }[]).map((b) => b.doc.status)).toEqual([
          'SUCCESS',
          'FAILED',
        ]);
        expect(dump).toEqual(await dumpReadModels(clean, ALL_PROJECTIONS));
      } finally {
        await clean.close();
      }
    });

    /** A build's three events, and a started engine (one event a batch) whose second commit fails. */
    const crashingOnSecondBatch = async (): Promise<ProjectionEngine> => {
      await playHistory(events, [
        { kind: 'discover', pkg: 0, commit: 0 },
        { kind: 'claim', pkg: 0, commit: 0, builder: 0 },
        { kind: 'finish', pkg: 0, commit: 0, outcome: 'success', failures: 0 },
      ]);
      const engine = new ProjectionEngine(events, crashingStore(laggingStore(views), 2), ALL_PROJECTIONS, {
        batchSize: 1,
      });
      await engine.start();
      return engine;
    };

    it('commits nothing of the batch behind a failed one, and forgets what it kept in memory', async () => {
      const engine = await crashingOnSecondBatch();
      await expect(engine.run({ untilCaughtUp: true })).rejects.toThrow('simulated crash');
      expect(engine.checkpoint).toBe(1);
      await engine.stop();
      for (const p of ALL_PROJECTIONS) expect(await views.checkpoint(p.name, p.version)).toBe(1);
      const builds = ALL_PROJECTIONS.find((p) => p.name === 'builds')!;
      expect(await views.find(builds)).toEqual([]);
    });

    it('runs on after it as if nothing had been folded past the last commit', async () => {
      const engine = await crashingOnSecondBatch();
      try {
        await expect(engine.run({ untilCaughtUp: true })).rejects.toThrow('simulated crash');
        await engine.run({ untilCaughtUp: true });
      } finally {
        await engine.stop();
      }
      const last = (await events.readAll()).at(-1)!.position;
      for (const p of ALL_PROJECTIONS) expect(await views.checkpoint(p.name, p.version)).toBe(last);
      const builds = ALL_PROJECTIONS.find((p) => p.name === 'builds')!;
      expect((await views.find(builds)).map((b) => (b.doc as { status: string }).status)).toEqual(['SUCCESS']);
    });
  });
});
