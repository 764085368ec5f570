import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDlrnDatabase,
  createMariaDbDatabase,
  TEST_MARIADB,
  type TestMariaDbDatabase,
} from '../../../../test/support/dlrn-db.fixtures.js';
import { parseDlrnDatabaseUrl } from './dlrn-database-url.js';
import { DlrnDatabase } from './dlrn-database.reader.js';
import type { DlrnRow } from './dlrn-rows.js';

const dir = mkdtempSync(join(tmpdir(), 'dlrn-reader-'));
const databases: TestMariaDbDatabase[] = [];

async function mariadb(label: string, ...sqlFiles: string[]): Promise<TestMariaDbDatabase> {
  const database = await createMariaDbDatabase(label, ...sqlFiles);
  databases.push(database);
  return database;
}

async function readAll(url: string, pageSize?: number): Promise<DlrnRow[]> {
  const db = await DlrnDatabase.open(parseDlrnDatabaseUrl(url), pageSize === undefined ? {} : { pageSize });
  try {
    const rows: DlrnRow[] = [];
    for await (const row of db.rows()) rows.push(row);
    return rows;
  } finally {
    await db.close();
  }
}

async function openError(url: string): Promise<Error> {
  return DlrnDatabase.open(parseDlrnDatabaseUrl(url)).then(
    async (db) => {
      await db.close();
      throw new Error(`${url} opened`);
    },
    (error: unknown) => error as Error,
  );
}

afterAll(async () => {
  for (const database of databases) await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('when MariaDB holds, in DLRN’s MySQL schema, the rows of the SQLite fixture', () => {
  let maria: TestMariaDbDatabase;
  let sqliteUrl: string;
  beforeAll(async () => {
    maria = await mariadb('same', 'schema-mysql.sql', 'rows.sql');
    sqliteUrl = `sqlite:///${createDlrnDatabase(join(dir, 'commits.sqlite'), 'schema.sql', 'rows.sql')}`;
  });

  it('reads the same rows, in the same order, as from SQLite', async () => {
    const fromSqlite = await readAll(sqliteUrl);
    expect(fromSqlite).toHaveLength(8 + 4 + 2 + 4 + 2 + 3);
    expect(await readAll(maria.url)).toEqual(fromSqlite);
  });

  it('reads the same rows a page of two rows at a time', async () => {
    expect(await readAll(maria.url, 2)).toEqual(await readAll(sqliteUrl));
  });

  it("reads them over the server's unix socket (PyMySQL's unix_socket parameter)", async () => {
    const url = `mysql+pymysql://root@/${maria.name}?unix_socket=/run/mysqld/mysqld.sock&charset=utf8`;
    expect(await readAll(url)).toEqual(await readAll(sqliteUrl));
  });

  it('reads booleans stored as TINYINT(1) as DLRN wrote them', async () => {
    const votes = (await readAll(maria.url)).filter((r) => r.table === 'civotes').map((r) => r.row);
    expect(votes.map((v) => [v.ci_name, v.ci_vote, v.ci_in_progress])).toEqual([
      ['consistent', 1, 0],
      ['tripleo-ci-job', 1, 0],
      ['periodic-job', 0, 1],
      ['component-job', 0, 0],
    ]);
  });

  it('does not see rows DLRN writes while the import reads', async () => {
    const db = await DlrnDatabase.open(parseDlrnDatabaseUrl(maria.url));
    try {
      const before = await db.counts();
      await maria.exec(
        "INSERT INTO commits (id, project_name, commit_hash, distro_hash, status, dt_build) VALUES (100, 'python-new', 'ab', 'cd', 'SUCCESS', 1800000000)",
      );
      expect(await db.counts()).toEqual(before);
      let commits = 0;
      for await (const row of db.rows()) if (row.table === 'commits') commits += 1;
      expect(commits).toBe(before.commits);
    } finally {
      await db.close();
      await maria.exec('DELETE FROM commits WHERE id = 100');
    }
  });
});

describe('when user names mix upper and lower case', () => {
  it('orders them byte by byte, as SQLite does, across pages', async () => {
    // MariaDB's default collation would sort these Alice, bob, carl, Zed, _b.
    const users = "INSERT INTO users VALUES ('bob', 'x'), ('Alice', 'x'), ('carl', 'x'), ('Zed', 'x'), ('_b', 'x');";
    const maria = await mariadb('case', 'schema-mysql.sql');
    await maria.exec(users);
    const file = createDlrnDatabase(join(dir, 'case.sqlite'), 'schema.sql');
    const sqlite = await import('better-sqlite3').then((m) => new m.default(file));
    sqlite.exec(users);
    sqlite.close();
    const names = (rows: DlrnRow[]) => rows.map((r) => (r.table === 'users' ? r.row.username : r.table));
    expect(names(await readAll(maria.url, 2))).toEqual(['Alice', 'Zed', '_b', 'bob', 'carl']);
    expect(names(await readAll(`sqlite:///${file}`, 2))).toEqual(['Alice', 'Zed', '_b', 'bob', 'carl']);
  });
});

describe('when the MariaDB database predates later columns and tables (2017)', () => {
  it('reads what it has, with nulls for the rest', async () => {
    const maria = await mariadb('old', 'schema-mysql-2017.sql');
    const rows = await readAll(maria.url);
    expect(rows.map((r) => r.table)).toEqual(['users', 'commits', 'projects', 'civotes', 'promotions']);
    expect(rows[1]!.row).toMatchObject({
      type: null,
      extended_hash: null,
      dt_extended: null,
      component: null,
      versions_csv: null,
      commit_branch: 'master',
      artifacts: 'repos/12/34/1234567890123456789012345678901234567890_abcdefab/python-legacy-1.0-1.el7.src.rpm',
    });
    expect(rows[3]!.row).toMatchObject({ ci_name: 'legacy-job', ci_vote: 1, user: 'ciuser', component: null });
    expect(rows[4]!.row).toMatchObject({ promotion_name: 'current-passed-ci', component: null, aggregate_hash: null });
  });
});

describe('when a hand-altered schema uses other MariaDB types', () => {
  it('reads BIGINT ids, BIT(1) booleans, DATETIME times (as UTC) and latin1 text as DLRN meant them', async () => {
    const maria = await mariadb('types');
    await maria.exec(`
      CREATE TABLE commits (id BIGINT NOT NULL PRIMARY KEY, project_name VARCHAR(256), commit_hash VARCHAR(64),
        distro_hash VARCHAR(64), status VARCHAR(64), dt_build DATETIME, notes TEXT) CHARACTER SET latin1;
      CREATE TABLE civotes (id BIGINT NOT NULL PRIMARY KEY, commit_id BIGINT NOT NULL, ci_name VARCHAR(256),
        ci_vote BIT(1), ci_in_progress BIT(1), timestamp DATETIME);
      INSERT INTO commits VALUES (7, 'python-foo', 'aaaa', 'dddd', 'SUCCESS', '2023-11-14 22:15:00', 'café');
      INSERT INTO civotes VALUES (3, 7, 'job', b'1', b'0', '2023-11-14 22:16:40');
    `);
    const rows = await readAll(maria.url);
    expect(rows.map((r) => r.table)).toEqual(['commits', 'civotes']);
    expect(rows[0]!.row).toMatchObject({ id: 7, dt_build: 1700000100, notes: 'café' });
    expect(rows[1]!.row).toMatchObject({ id: 3, commit_id: 7, ci_vote: 1, ci_in_progress: 0, timestamp: 1700000200 });
    expect(rows[1]!.row).toMatchObject({ commit: { project_name: 'python-foo', commit_hash: 'aaaa' } });
  });
});

describe('when the server or the database cannot be read', () => {
  const url = (credentials: string, database: string, port: number = TEST_MARIADB.port) =>
    `mysql+pymysql://${credentials}@${TEST_MARIADB.host}:${port}/${database}`;

  it('names the server and the user, not the password, when the password is wrong', async () => {
    const error = await openError(url('root:wr0ng-Secret', 'mysql'));
    expect(error.message).toBe(
      `mysql+pymysql://root:***@127.0.0.1:3306/mysql: 127.0.0.1:3306 refused user 'root': wrong user name or password`,
    );
  });

  it('names the server when nothing answers there', async () => {
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as { port: number };
    await new Promise((done) => server.close(done));
    const error = await openError(url('dlrn:s3cret', 'dlrn', port));
    expect(error.message).toMatch(
      new RegExp(
        `:\\*\\*\\*@127\\.0\\.0\\.1:${port}/dlrn: cannot connect to 127\\.0\\.0\\.1:${port}: connection refused`,
      ),
    );
    expect(error.message).not.toContain('s3cret');
  });

  it('names a TLS file it cannot read', async () => {
    const error = await openError(`${url('dlrn:s3cret', 'dlrn')}?ssl_ca=/nonexistent/ca.pem`);
    expect(error.message).toMatch(
      /:\*\*\*@127\.0\.0\.1:3306\/dlrn\?ssl_ca=\/nonexistent\/ca\.pem: cannot read ssl_ca \/nonexistent\/ca\.pem: ENOENT/,
    );
  });

  it('names a database the server does not have', async () => {
    const error = await openError(url('root', 'dlrn_no_such_database'));
    expect(error.message).toMatch(/127\.0\.0\.1:3306 has no database 'dlrn_no_such_database'$/);
  });

  it('names a database without a commits table', async () => {
    const maria = await mariadb('empty');
    await maria.exec('CREATE TABLE things (id INTEGER PRIMARY KEY)');
    expect((await openError(maria.url)).message).toBe(`${maria.url}: not a DLRN database: it has no commits table`);
  });

  it('names a table that lacks a column every DLRN schema has', async () => {
    const maria = await mariadb('nocol');
    await maria.exec('CREATE TABLE commits (id INTEGER PRIMARY KEY, project_name TEXT, commit_hash TEXT, status TEXT)');
    expect((await openError(maria.url)).message).toBe(
      `${maria.url}: not a DLRN database: table commits has no column 'distro_hash'`,
    );
  });
});
