import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '#domain/shared/event-store.port.js';
import type { RecordedEvent } from '#domain/shared/event.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { ImportConflictError, importDlrnDatabase } from './dlrn-database.importer.js';
import { createDlrnDatabase } from '../../../../test/support/dlrn-db.fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'dlrn-import-'));
let file: string;

beforeAll(() => {
  file = createDlrnDatabase(join(dir, 'commits.sqlite'), 'schema.sql', 'rows.sql');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NOW = new Date('2025-01-01T00:00:00Z');
const run = (store: EventStore, source = file) =>
  importDlrnDatabase({
    from: { kind: 'sqlite', label: source, file: source },
    store,
    buildDriver: 'mock',
    maxRetries: 3,
    now: NOW,
  });

async function log(store: EventStore): Promise<Pick<RecordedEvent, 'streamId' | 'revision' | 'type' | 'data'>[]> {
  const events = await store.readAll({ maxCount: 10_000 });
  return events.map(({ streamId, revision, type, data, metadata }) => ({
    streamId,
    revision,
    type,
    data,
    eventId: metadata.eventId,
  }));
}

/** A store that dies (like a killed process) after some appends. */
function dyingAfter(store: EventStore, appends: number): EventStore {
  let left = appends;
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'append') {
        return (...args: Parameters<EventStore['append']>) => {
          if (left-- <= 0) throw new Error('killed');
          return target.append(...args);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('when an import was killed halfway', () => {
  it('a second run appends the rest, and the log is the one a single run writes', async () => {
    const whole = new SqliteEventStore(join(dir, 'whole.sqlite'));
    const once = await run(whole);
    expect(once.alreadyPresent).toBe(0);

    const resumed = new SqliteEventStore(join(dir, 'resumed.sqlite'));
    await expect(run(dyingAfter(resumed, 6))).rejects.toThrow('killed');
    const partial = await resumed.headPosition();
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(once.appended);

    const second = await run(resumed);
    expect(second.alreadyPresent).toBe(partial);
    expect(second.appended).toBe(once.appended - partial);
    expect(await log(resumed)).toEqual(await log(whole));
    await whole.close();
    await resumed.close();
  });
});

describe('when DLRN added rows since the last import', () => {
  it('a re-run appends only the new rows, after the old ones of their streams', async () => {
    const growing = join(dir, 'growing.sqlite');
    copyFileSync(file, growing);
    const store = new SqliteEventStore(join(dir, 'growing-events.sqlite'));
    const once = await run(store, growing);
    const db = new Database(growing);
    db.exec(`
      INSERT INTO commits (id, type, dt_commit, dt_distro, dt_build, project_name, commit_hash, distro_hash,
        commit_branch, status, notes, flags)
      VALUES (9, 'rpm', 1699990700, 1699980000, 1700000900, 'python-foo', 'aaaa444444444444444444444444444444444444',
        'dddd111111111111111111111111111111111111', 'master', 'SUCCESS', 'OK', 0);
      INSERT INTO promotions (id, commit_id, promotion_name, timestamp, user) VALUES (5, 9, 'current-passed-ci', 1700000950, 'ciuser');
    `);
    db.close();
    const again = await run(store, growing);
    expect(again.alreadyPresent).toBe(once.appended);
    expect(again.appended).toBe(5);
    const [promoted] = await store.readStream('promotion-current-passed-ci', { direction: 'backwards', maxCount: 1 });
    expect(promoted!.revision).toBe(2);
    expect(promoted!.data).toMatchObject({
      commitHash: 'aaaa444444444444444444444444444444444444',
      previousRepoDir: 'bb/bb/bbbb111111111111111111111111111111111111_eeee1111',
    });
    await store.close();
  });
});

describe('when the event store already holds a stream the import would write', () => {
  it('refuses before appending anything', async () => {
    const store = new SqliteEventStore(join(dir, 'taken.sqlite'));
    await store.append('user-admin', [
      {
        type: 'UserCreated',
        data: { username: 'admin', passwordHash: '$scrypt$x' },
        metadata: {
          schemaVersion: 1,
          eventId: '0190d6a2-0000-7000-8000-000000000001',
          occurredAt: NOW.toISOString(),
          correlationId: 'c',
          causationId: null,
          actor: 'cli:root',
        },
      },
    ]);
    const error = await run(store).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportConflictError);
    expect((error as Error).message).toContain('stream user-admin already holds UserCreated');
    expect(await store.headPosition()).toBe(1);
    await store.close();
  });
});

describe('when the database predates later columns and tables', () => {
  it('imports what it has, with nulls and defaults for the rest', async () => {
    const old = createDlrnDatabase(join(dir, 'old.sqlite'), 'schema-2016.sql');
    const store = new SqliteEventStore(join(dir, 'old-events.sqlite'));
    const summary = await run(store, old);
    expect(summary.rows).toEqual({ commits: 1, civotes: 0, civotes_agg: 0, promotions: 0, users: 0, projects: 1 });
    expect(summary.skipped).toEqual([]);
    const events = await log(store);
    expect(events.map((e) => e.type)).toEqual([
      'CommitDiscovered',
      'BuildClaimed',
      'BuildStarted',
      'BuildSucceeded',
      'FailureNotified',
    ]);
    expect(events[0]!.data).toMatchObject({
      type: 'rpm',
      extendedHash: null,
      dtExtended: null,
      commitBranch: '',
      component: null,
      versionsCsv: null,
    });
    expect(events[3]!.data).toMatchObject({
      artifacts: ['repos/12/34/1234567890123456789012345678901234567890_abcdefab/python-legacy-1.0-1.el7.src.rpm'],
      nvr: 'python-legacy-1.0-1.el7',
    });
    await store.close();
  });
});
