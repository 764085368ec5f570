import { copyFileSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildsProjection,
  ciVotesAggProjection,
  ciVotesProjection,
  packageStatusProjection,
  promotionsProjection,
  usersProjection,
} from '#domain/projections/index.js';
import { verifyPassword } from '#infrastructure/auth/password-hasher.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { configIn, createDlrnDatabase } from '../support/dlrn-db.fixtures.js';
import { openReadModelStore, type KyselyReadModelStore } from '#infrastructure/read-model/kysely-read-model.store.js';
import { runDlrn, type CliRun } from '../support/cli.js';

const FOO_1 = 'aaaa111111111111111111111111111111111111';
const FOO_2 = 'aaaa222222222222222222222222222222222222';
const FOO_3 = 'aaaa333333333333333333333333333333333333';
const BAR = 'bbbb111111111111111111111111111111111111';
const OLD = 'cccc111111111111111111111111111111111111';
const BAZ = '9999111111111111111111111111111111111111';

async function head(dir: string): Promise<number> {
  const store = new SqliteEventStore(join(dir, 'events.sqlite'));
  try {
    return await store.headPosition();
  } finally {
    await store.close();
  }
}

describe('dlrn import-db from a DLRN SQLite database', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-import-db-'));
  const site = join(root, 'site');
  let ini: string;
  let dbFile: string;
  let first: CliRun;
  let views: KyselyReadModelStore;

  beforeAll(async () => {
    ini = configIn(site);
    dbFile = createDlrnDatabase(join(root, 'commits.sqlite'), 'schema.sql', 'rows.sql');
    first = await runDlrn(['import-db', '--from', `sqlite:///${dbFile}`, '--config-file', ini]);
    const projector = await runDlrn(['projector', '--once', '--config-file', ini]);
    expect(projector.code, projector.stderr).toBe(0);
    views = await openReadModelStore({ kind: 'sqlite', path: join(site, 'views.sqlite') });
  }, 120_000);
  afterAll(async () => {
    await views?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('reports the rows it read and the events it appended', () => {
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/commits\s+8\n/);
    expect(first.stdout).toMatch(/civotes\s+4\n/);
    expect(first.stdout).toMatch(/civotes_agg\s+2\n/);
    expect(first.stdout).toMatch(/promotions\s+4\n/);
    expect(first.stdout).toMatch(/users\s+2\n/);
    expect(first.stdout).toMatch(/projects\s+3\n/);
    expect(first.stdout).toContain('events appended: 41\n');
    expect(first.stdout).toContain('events already present: 0\n');
  });

  it('skips, with a warning naming it, a row no build stream can hold', () => {
    expect(first.stderr).toContain('dlrn import-db: warning: skipped commits row 8: invalid commit_hash "not a hash"');
  });

  it("lists the builds in DLRN's id order, retries and purges included", async () => {
    const builds = await views.find(buildsProjection, { orderBy: [{ column: 'id', direction: 'asc' }] });
    expect(builds.map((b) => [b.doc.package, b.doc.commitHash, b.doc.status, b.doc.attempt])).toEqual([
      ['python-foo', FOO_1, 'SUCCESS', 1],
      ['python-bar', BAR, 'RETRY', 1],
      ['python-bar', BAR, 'SUCCESS', 2],
      ['python-old', OLD, 'SUCCESS', 1],
      ['openstack-baz', BAZ, 'SUCCESS', 1],
      ['python-foo', FOO_2, 'FAILED', 1],
      ['python-foo', FOO_3, 'FAILED', 1],
    ]);
    const old = builds.find((b) => b.doc.package === 'python-old')!.doc;
    expect(old.flags & 0x2).toBe(2);
    const baz = builds.find((b) => b.doc.package === 'openstack-baz')!.doc;
    expect(baz).toMatchObject({
      component: 'tripleo',
      commitBranch: 'stable/2023.2',
      extendedHash: null,
      dtBuild: 1700000500,
      repoDir: `component/tripleo/99/99/${BAZ}_88881111`,
      nvr: 'openstack-baz-3.0.0-1.el9',
    });
  });

  it('shows a package whose last build failed as DLRN does: failing since its first failure', async () => {
    const foo = (await views.get(packageStatusProjection, 'python-foo'))!.doc;
    expect(foo.status).toBe('FAILED');
    expect(foo.lastStatus).toBe('FAILED');
    expect(foo.lastSuccess).toMatchObject({ commitHash: FOO_1, dtBuild: 1700000100 });
    expect(foo.firstFailure).toMatchObject({ commitHash: FOO_2, dtBuild: 1700000600 });
    expect(foo.failuresSinceSuccess).toBe(2);
    expect(foo.lastMailAt).toBe(1700000610);
    expect((await views.get(packageStatusProjection, 'python-bar'))!.doc.status).toBe('SUCCESS');
    expect(await views.get(packageStatusProjection, 'python-bad')).toBeNull();
  });

  it('keeps the CI votes, the consistent vote and the in-progress claim', async () => {
    const votes = await views.find(ciVotesProjection, { orderBy: [{ column: 'id', direction: 'asc' }] });
    expect(
      votes.map((v) => [v.doc.commitHash, v.doc.ciName, v.doc.ciVote, v.doc.ciInProgress, v.doc.user, v.doc.component]),
    ).toEqual([
      [FOO_1, 'consistent', true, false, null, null],
      [BAR, 'tripleo-ci-job', true, false, 'ciuser', null],
      [BAR, 'periodic-job', false, true, 'ciuser', null],
      [BAZ, 'component-job', false, false, 'ciuser', 'tripleo'],
    ]);
    expect(votes[1]!.doc).toMatchObject({
      ciUrl: 'https://ci.example.org/job/1',
      timestamp: 1700000350,
      notes: 'passed',
    });
    const aggregate = await views.find(ciVotesAggProjection, { orderBy: [{ column: 'id', direction: 'asc' }] });
    expect(aggregate.map((v) => [v.doc.refHash, v.doc.ciName, v.doc.ciVote, v.doc.ciInProgress])).toEqual([
      ['0123456789abcdef0123456789abcdef', 'agg-job', true, false],
      ['0123456789abcdef0123456789abcdef', 'agg-periodic', false, true],
    ]);
  });

  it('lists promotions newest first, each knowing the repository its name pointed at before', async () => {
    const promotions = await views.find(promotionsProjection, { orderBy: [{ column: 'id', direction: 'desc' }] });
    expect(promotions.map((p) => [p.doc.promotionName, p.doc.commitHash, p.doc.user])).toEqual([
      ['promoted-components', BAZ, 'admin'],
      ['tripleo-ci-testing', BAR, 'admin'],
      ['current-passed-ci', BAR, 'ciuser'],
      ['current-passed-ci', FOO_1, 'ciuser'],
    ]);
    expect(promotions[0]!.doc).toMatchObject({
      component: 'tripleo',
      aggregateHash: 'fedcba9876543210fedcba9876543210',
      repoDir: `component/tripleo/99/99/${BAZ}_88881111`,
      timestamp: 1700000570,
    });
    expect(promotions[2]!.doc.previousRepoDir).toBe(`aa/aa/${FOO_1}_dddd1111`);
    expect(promotions[3]!.doc.previousRepoDir).toBeNull();
  });

  it("lets DLRN's users log in with their old passwords", async () => {
    const ciuser = (await views.get(usersProjection, 'ciuser'))!.doc;
    const admin = (await views.get(usersProjection, 'admin'))!.doc;
    expect(ciuser.passwordHash).toMatch(/^\$6\$rounds=656000\$/);
    expect(await verifyPassword('ci-pass', ciuser.passwordHash)).toBe(true);
    expect(await verifyPassword('admin-pass', admin.passwordHash)).toBe(true);
    expect(await verifyPassword('ci-pass', admin.passwordHash)).toBe(false);
  });

  it('changes nothing when run again', async () => {
    const before = await head(site);
    const again = await runDlrn(['import-db', '--from', `sqlite:///${dbFile}`, '--config-file', ini]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('events appended: 0\n');
    expect(again.stdout).toContain('events already present: 41\n');
    expect(await head(site)).toBe(before);
  });

  describe('when the input is bad', () => {
    const fresh = join(root, 'fresh');
    let freshIni: string;
    beforeAll(() => {
      freshIni = configIn(fresh);
    });

    const importFrom = (url: string) => runDlrn(['import-db', '--from', url, '--config-file', freshIni]);

    async function expectRefused(run: CliRun, message: RegExp): Promise<void> {
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^dlrn import-db: error: /m);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe('');
      expect(await head(fresh)).toBe(0);
    }

    it('names a missing file', async () => {
      const missing = join(root, 'nope.sqlite');
      await expectRefused(await importFrom(`sqlite:///${missing}`), new RegExp(`${missing}: no such file`));
    });

    it('names a database without a commits table', async () => {
      const other = join(root, 'other.sqlite');
      const db = new Database(other);
      db.exec('CREATE TABLE things (id INTEGER PRIMARY KEY)');
      db.close();
      await expectRefused(
        await importFrom(`sqlite:///${other}`),
        /other\.sqlite: not a DLRN database: it has no commits table/,
      );
    });

    it('names a file that is not SQLite', async () => {
      const text = join(root, 'text.sqlite');
      writeFileSync(text, 'this is not a database\n'.repeat(100));
      await expectRefused(await importFrom(`sqlite:///${text}`), /text\.sqlite: not an SQLite database/);
    });

    it('names a corrupt database and appends nothing', async () => {
      const corrupt = join(root, 'corrupt.sqlite');
      copyFileSync(dbFile, corrupt);
      // Keep the header and schema page; scribble over the table pages.
      const fd = openSync(corrupt, 'r+');
      writeSync(fd, Buffer.alloc(4096 * 4, 0xa5), 0, 4096 * 4, 4096 * 2);
      closeSync(fd);
      await expectRefused(await importFrom(`sqlite:///${corrupt}`), /corrupt\.sqlite: the database is corrupt/);
    });

    it('refuses a PostgreSQL URL, naming the scheme and not the password', async () => {
      const run = await importFrom('postgresql://dlrn:secret@db.example.org/dlrn');
      await expectRefused(run, /postgresql:\/\/dlrn:\*\*\*@db\.example\.org\/dlrn: unsupported scheme 'postgresql'/);
      expect(run.stderr).not.toContain('secret');
    });
  });
});
