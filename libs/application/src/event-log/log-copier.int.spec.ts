import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportNotSupportedError, type EventStore } from '#domain/shared/event-store.port.js';
import type { RecordedEvent } from '#domain/shared/event.js';
import { PostgresEventStore } from '#infrastructure/event-store/postgres/postgres-event-store.adapter.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { testEvent } from '../../../../test/support/events.js';
import { exportLog } from './log-exporter.js';
import { copyLog } from './log-copier.js';

const URL = process.env.DLRN_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** A SQLite store that, like KurrentDB, cannot import: the copy appends anew. */
class AppendOnlySqlite extends SqliteEventStore {
  override async importRecorded(): Promise<never> {
    throw new ImportNotSupportedError('test store', 'it assigns positions itself');
  }
}

async function exported(store: EventStore): Promise<string> {
  let text = '';
  await exportLog(store, { redact: false, write: (chunk) => void (text += chunk) });
  return text;
}

describe('copying an event log from SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dlrn-log-copy-'));
  const schemas: string[] = [];
  let n = 0;
  let source: SqliteEventStore;
  const pgStore = () => {
    const schema = `copy_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    return PostgresEventStore.open(URL, { schema });
  };

  beforeAll(async () => {
    source = new SqliteEventStore(join(dir, 'source.sqlite'));
    await source.append('user-ci', [testEvent('UserCreated', { username: 'ci', passwordHash: '$6$s$h' })]);
    for (let i = 0; i < 25; i++) {
      await source.append(`package-p${i % 4}`, [testEvent('PackageSkipped', { i, text: 'paquet ✓ "q" \\' })]);
    }
    await source.appendToStreams([
      { streamId: 'build-1', events: [testEvent('A'), testEvent('B')] },
      { streamId: 'build-2', events: [testEvent('C')] },
    ]);
  });
  afterAll(async () => {
    await source.close();
    rmSync(dir, { recursive: true, force: true });
    const client = new pg.Client({ connectionString: URL });
    await client.connect();
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  it('into PostgreSQL: every event as recorded, the full export identical byte for byte', async () => {
    const target = await pgStore();
    try {
      const summary = await copyLog(source, target, { batchSize: 7 });
      expect(summary).toMatchObject({ mode: 'exact', events: 29, lastPosition: 29, copied: 29, alreadyStored: 0 });
      expect(await target.readAll({ asStored: true })).toEqual(await source.readAll({ asStored: true }));
      expect(await exported(target)).toBe(await exported(source));
      // A second run is a no-op that checks again.
      expect(await copyLog(source, target)).toMatchObject({ copied: 0, alreadyStored: 29, sha256: summary.sha256 });
    } finally {
      await target.close();
    }
  });

  it('resumes a copy cut short, after the events already there', async () => {
    const target = await pgStore();
    try {
      await target.importRecorded(await source.readAll({ maxCount: 10, asStored: true }));
      const summary = await copyLog(source, target);
      expect(summary).toMatchObject({ copied: 19, alreadyStored: 10, events: 29 });
      expect(await exported(target)).toBe(await exported(source));
    } finally {
      await target.close();
    }
  });

  it('refuses a target holding other events, writing nothing', async () => {
    const target = new SqliteEventStore(join(dir, `other-${++n}.sqlite`));
    try {
      await target.append('package-x', [testEvent('Other'), testEvent('Other')]);
      await expect(copyLog(source, target)).rejects.toMatchObject({ code: 'COPY_TARGET_MISMATCH' });
      await expect(copyLog(source, target)).rejects.toThrow(/not the source's first ones/);
      expect(await target.headPosition()).toBe(2);
    } finally {
      await target.close();
    }
  });

  it('into a store that assigns positions: appended anew, same streams, revisions, ids and data', async () => {
    const target = new AppendOnlySqlite(join(dir, `append-${++n}.sqlite`));
    try {
      await target.append('unrelated-1', [testEvent('Before')]);
      const summary = await copyLog(source, target, { batchSize: 5 });
      expect(summary).toMatchObject({ mode: 'appended', events: 29, copied: 29, alreadyStored: 0 });
      const shape = (events: RecordedEvent[]) =>
        events.map(({ streamId, revision, type, data, metadata }) => ({ streamId, revision, type, data, metadata }));
      const copied = (await target.readAll({ asStored: true })).filter((e) => e.streamId !== 'unrelated-1');
      expect(shape(copied)).toEqual(shape(await source.readAll({ asStored: true })));
      expect(copied[0]!.position).toBe(2);
      // A re-run appends nothing (same ids) and agrees.
      expect(await copyLog(source, target)).toMatchObject({ copied: 0, alreadyStored: 29, sha256: summary.sha256 });
      expect(await target.headPosition()).toBe(30);
    } finally {
      await target.close();
    }
  });
});
