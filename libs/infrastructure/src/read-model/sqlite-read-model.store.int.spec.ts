import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { describeReadModelStoreContract } from '../../../../test/contract/read-model-store.contract.js';
import { emptyProjection } from '../../../../test/support/projection-spec.js';
import { HistoryUnavailableError } from '#domain/projections/projection.js';
import { openReadModelStore, openSqliteReadModelStore } from './kysely-read-model.store.js';

describeReadModelStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dlrn-rm-'));
  const file = join(dir, 'nested', 'read-models.sqlite');
  return {
    open: () => openSqliteReadModelStore(file),
    teardown: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describeReadModelStoreContract('SQLite, every projector batch committed on the writer thread', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dlrn-rm-'));
  const file = join(dir, 'read-models.sqlite');
  return {
    open: () => openSqliteReadModelStore(file, { writerThreadAbove: 0 }),
    teardown: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

async function withDir(work: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dlrn-rm-'));
  try {
    await work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('SQLite read-model store', () => {
  describe('when opened on a path that does not exist yet', () => {
    it('creates the directory and a WAL-mode file', async () => {
      await withDir(async (dir) => {
        const file = join(dir, 'a', 'b', 'rm.sqlite');
        const store = await openSqliteReadModelStore(file);
        await store.close();
        expect(existsSync(file)).toBe(true);
        const db = new Database(file, { readonly: true });
        expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
        db.close();
      });
    });
  });

  describe('when a lease is held', () => {
    it('lets another owner take it only once it expired, and tells the old holder', async () => {
      await withDir(async (dir) => {
        let now = 1_000_000;
        const clock = () => now;
        const file = join(dir, 'rm.sqlite');
        const a = await openSqliteReadModelStore(file, { now: clock, leaseMs: 30_000 });
        const b = await openSqliteReadModelStore(file, { now: clock, leaseMs: 30_000 });
        try {
          const held = await a.tryLock('builds', 'owner-a');
          expect(held).not.toBeNull();
          now += 20_000;
          expect(await held?.renew()).toBe(true);
          now += 29_999;
          expect(await b.tryLock('builds', 'owner-b')).toBeNull();
          now += 1;
          const taken = await b.tryLock('builds', 'owner-b');
          expect(taken).not.toBeNull();
          expect(await held?.renew()).toBe(false);
          await held?.release();
          expect(await a.tryLock('builds', 'owner-a')).toBeNull();
          await taken?.release();
          expect(await a.tryLock('builds', 'owner-a')).not.toBeNull();
        } finally {
          await a.close();
          await b.close();
        }
      });
    });
  });

  describe('when a projection names a column or itself outside [a-z][a-z0-9_]*', () => {
    it('refuses to create its table', async () => {
      await withDir(async (dir) => {
        const store = await openSqliteReadModelStore(join(dir, 'rm.sqlite'));
        try {
          const bad = {
            name: 'bad',
            version: 1,
            eventTypes: [],
            keys: () => [],
            evolve: () => null,
            columns: { _position: 'integer' as const },
            row: () => ({}),
            indexes: [],
          };
          await expect(store.ensure(bad)).rejects.toThrow(/column '_position' must match/);
          await expect(store.ensure({ ...bad, name: 'Bad-Name', columns: {} })).rejects.toThrow(/must match/);
        } finally {
          await store.close();
        }
      });
    });
  });
  describe('when opened without history', () => {
    it('keeps only the documents, and refuses as-of reads saying why', async () => {
      await withDir(async (dir) => {
        const file = join(dir, 'rm.sqlite');
        const store = await openReadModelStore({ kind: 'sqlite', path: file, history: false });
        try {
          const projection = emptyProjection('plain');
          await store.ensure(projection);
          await store.transaction((tx) => tx.putDocuments(projection, [{ key: 'a', doc: { n: 1 }, position: 1 }]));
          expect(store.keepsHistory).toBe(false);
          expect(() => store.asOf(1)).toThrow(HistoryUnavailableError);
          const db = new Database(file, { readonly: true });
          const tables = db
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'p_plain%'")
            .all();
          db.close();
          expect(tables).toEqual([{ name: 'p_plain_v1' }]);
        } finally {
          await store.close();
        }
      });
    });
  });
});
