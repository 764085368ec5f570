import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { testEvent } from '../../../../test/support/events.js';
import { exportLog } from './log-exporter.js';
import { importLog } from './log-importer.js';

async function* chunksOf(text: string): AsyncGenerator<Buffer> {
  yield Buffer.from(text);
}

describe('importing an exported log into a SQLite store that is not empty', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dlrn-log-import-'));
  let n = 0;
  const fresh = () => new SqliteEventStore(join(dir, `store-${++n}.sqlite`));
  let redacted = '';
  let full = '';

  beforeAll(async () => {
    const source = fresh();
    try {
      await source.append('user-ci', [testEvent('UserCreated', { username: 'ci', passwordHash: '$6$s$h' })]);
      for (let i = 0; i < 4; i++) await source.append('package-nova', [testEvent('PackageSkipped', { i })]);
      for (const redact of [true, false]) {
        let text = '';
        await exportLog(source, { redact, write: (chunk) => void (text += chunk) });
        if (redact) redacted = text;
        else full = text;
      }
    } finally {
      await source.close();
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a store holding the redacted log when the full one is imported, and writes nothing', async () => {
    const store = fresh();
    try {
      await importLog(store, () => chunksOf(redacted));
      const attempt = importLog(store, () => chunksOf(full));
      await expect(attempt).rejects.toMatchObject({ code: 'IMPORT_TARGET_NOT_EMPTY' });
      await expect(attempt).rejects.toThrow(/line 2: differs from the store's event at position 1/);
      expect(JSON.stringify(await store.readAll())).toContain('[redacted]');
    } finally {
      await store.close();
    }
  });

  it('refuses a store that holds more than the log', async () => {
    const store = fresh();
    try {
      await importLog(store, () => chunksOf(full));
      await store.append('package-nova', [testEvent('PackageSkipped', { i: 9 })]);
      await expect(importLog(store, () => chunksOf(full))).rejects.toThrow(
        /its head is past the log's last position 5/,
      );
      expect(await store.headPosition()).toBe(6);
    } finally {
      await store.close();
    }
  });

  it('resumes after the events a cut-short import left, and is a no-op once complete', async () => {
    const store = fresh();
    try {
      const [, ...lines] = full.split(/(?<=\n)/);
      const firstTwo = lines.slice(0, 2).map((line) => {
        const { stream, prev: _p, sha256: _s, ...rest } = JSON.parse(line) as Record<string, never>;
        return { ...(rest as object), streamId: stream } as never;
      });
      await store.importRecorded(firstTwo);
      expect(await importLog(store, () => chunksOf(full))).toMatchObject({ imported: 3, alreadyStored: 2 });
      expect(await importLog(store, () => chunksOf(full))).toMatchObject({ imported: 0, alreadyStored: 5 });
      let again = '';
      await exportLog(store, { redact: false, write: (chunk) => void (again += chunk) });
      expect(again).toBe(full);
    } finally {
      await store.close();
    }
  });
});
