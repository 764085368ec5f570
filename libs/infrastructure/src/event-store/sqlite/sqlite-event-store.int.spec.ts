import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { describeEventStoreContract } from '../../../../../test/contract/event-store.contract.js';
import { testEvent } from '../../../../../test/support/events.js';
import { SqliteEventStore } from './sqlite-event-store.adapter.js';

describeEventStoreContract('SQLite (embedded)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dlrn-es-'));
  const file = join(dir, 'events.sqlite');
  return {
    open: async () => new SqliteEventStore(file),
    openEmpty: async () => new SqliteEventStore(join(mkdtempSync(join(dir, 'empty-')), 'events.sqlite')),
    teardown: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

function tempStoreFile(): { file: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'dlrn-es-'));
  return { file: join(dir, 'events.sqlite'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('SQLite event store on disk', () => {
  describe('when events are read back', () => {
    it('hands them over through upcasting: a known type from a newer schema is refused on every read path', async () => {
      const { file, cleanup } = tempStoreFile();
      const store = new SqliteEventStore(file);
      try {
        const current = testEvent('PackageSkipped', { package: 'nova', reason: 'x' });
        const future = testEvent('PackageSkipped', { package: 'nova', reason: 'y' });
        await store.append('package-nova', [current]);
        expect((await store.readStream('package-nova'))[0]!.data).toEqual(current.data);
        await store.append('package-nova', [{ ...future, metadata: { ...future.metadata, schemaVersion: 99 } }]);
        const refused = { code: 'EVENT_FROM_THE_FUTURE' };
        await expect(store.readStream('package-nova')).rejects.toMatchObject(refused);
        await expect(store.readAll()).rejects.toMatchObject(refused);
        await expect(store.readAllBackwards()).rejects.toMatchObject(refused);
        const iterator = store.subscribeToAll()[Symbol.asyncIterator]();
        await expect(iterator.next()).rejects.toMatchObject(refused);
      } finally {
        await store.close();
        cleanup();
      }
    });
  });

  describe('when the store is closed and opened again', () => {
    it('keeps every event and continues the positions', async () => {
      const { file, cleanup } = tempStoreFile();
      try {
        const first = new SqliteEventStore(file);
        await first.append('package-nova', [testEvent('A'), testEvent('B')]);
        await first.close();
        const second = new SqliteEventStore(file);
        const result = await second.append('package-nova', [testEvent('C')], { expectedRevision: 1 });
        expect(result).toEqual({ nextExpectedRevision: 2, position: 3 });
        await second.close();
      } finally {
        cleanup();
      }
    });
  });

  describe('when a subscription catching up reads pages ahead on the reader thread', () => {
    it('gets exactly the events a read on this thread gets, in log order, whatever their text', async () => {
      const { file, cleanup } = tempStoreFile();
      const store = new SqliteEventStore(file);
      try {
        const awkward = [
          'plain',
          'quote " and \\ backslash',
          'ключ/🔑',
          'lone \uD800 surrogate',
          'tab\tnew\nline',
          '</script>',
        ];
        for (const [i, text] of awkward.entries()) {
          await store.append(`odd-ünïcode/"${i}"`, [testEvent('Odd', { text, nested: { list: [text, i, null] } })]);
          await store.append(`plain-${i}`, [testEvent('Plain', { i }), testEvent('Other', { i })]);
        }
        const filter = { eventTypes: ['Odd', 'Plain'] };
        const here = store.read(0, 1000, 1000, filter);
        expect(await store.readAhead(0, 1000, 1000, filter)).toEqual(here);
        expect(here.map((e) => e.type)).toEqual(awkward.flatMap(() => ['Odd', 'Plain']));
        expect(await store.readAhead(3, 10, 4, filter)).toEqual(store.read(3, 10, 4, filter));
        // a subscription in pages of 3 hands out the same events
        const subscription = store.subscribeToAll({ maxBatchSize: 3, filter });
        const seen: unknown[] = [];
        for await (const batch of subscription) {
          seen.push(...batch.events);
          if (batch.caughtUp) break;
        }
        expect(seen).toEqual(here);
      } finally {
        await store.close();
        cleanup();
      }
    });
  });

  describe('when something tries to rewrite history through SQL', () => {
    it('refuses updates and deletes of stored events', async () => {
      const { file, cleanup } = tempStoreFile();
      try {
        const store = new SqliteEventStore(file);
        await store.append('package-nova', [testEvent('A')]);
        await store.close();
        const db = new Database(file);
        expect(() => db.prepare("UPDATE events SET type = 'B'").run()).toThrow(/immutable/);
        expect(() => db.prepare('DELETE FROM events').run()).toThrow(/immutable/);
        expect(db.prepare('SELECT type FROM events').all()).toEqual([{ type: 'A' }]);
        db.close();
      } finally {
        cleanup();
      }
    });
  });

  describe('when another process appends', () => {
    it('wakes a live subscription of this process', async () => {
      const { file, cleanup } = tempStoreFile();
      const store = new SqliteEventStore(file, { pollIntervalMs: 20 });
      const subscription = store.subscribeToAll();
      try {
        const iterator = subscription[Symbol.asyncIterator]();
        expect((await iterator.next()).value).toMatchObject({ caughtUp: true, events: [] });
        const child = spawn(
          process.execPath,
          ['--conditions=source', '--import', '@swc-node/register/esm-register', 'test/support/append-one.ts', file],
          { stdio: ['ignore', 'ignore', 'pipe'] },
        );
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const exitCode = await new Promise<number | null>((done) => child.on('exit', done));
        expect(stderr).toBe('');
        expect(exitCode).toBe(0);
        let batch = (await iterator.next()).value;
        while (batch.events.length === 0) batch = (await iterator.next()).value;
        expect(batch.events.map((e: { type: string }) => e.type)).toEqual(['FromAnotherProcess']);
      } finally {
        await subscription.close();
        await store.close();
        cleanup();
      }
    });
  });

  describe('when the same event ids are appended by two store instances', () => {
    it('stores them once', async () => {
      const { file, cleanup } = tempStoreFile();
      try {
        const a = new SqliteEventStore(file);
        const b = new SqliteEventStore(file);
        const batch = [testEvent('A'), testEvent('B')];
        const first = await a.append('build-x', batch, { expectedRevision: 'no_stream' });
        expect(await b.append('build-x', batch, { expectedRevision: 'any' })).toEqual(first);
        expect(await b.readStream('build-x')).toHaveLength(2);
        await a.close();
        await b.close();
      } finally {
        cleanup();
      }
    });
  });
});
