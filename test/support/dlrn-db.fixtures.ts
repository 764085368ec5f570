import { randomBytes } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';

/** SQL fixtures of DLRN databases (schemas and rows), under test/fixtures/dlrn-db. */
export const DLRN_DB_FIXTURES = fileURLToPath(new URL('../fixtures/dlrn-db/', import.meta.url));

/** Writes a DLRN SQLite database from fixture SQL files (`schema.sql`, `rows.sql`…), in order. */
export function createDlrnDatabase(file: string, ...sqlFiles: readonly string[]): string {
  const db = new Database(file);
  try {
    for (const sql of sqlFiles) db.exec(readFileSync(join(DLRN_DB_FIXTURES, sql), 'utf8'));
  } finally {
    db.close();
  }
  return file;
}

/** The MariaDB the tests use (scripts/install-deps.sh makes sure it answers): root, no password. */
export const TEST_MARIADB = { host: '127.0.0.1', port: 3306, user: 'root' } as const;

/** A fresh MariaDB database filled from fixture SQL files; `drop` removes it. */
export interface TestMariaDbDatabase {
  readonly name: string;
  /** DLRN's database_connection for it. */
  readonly url: string;
  /** Runs SQL (several statements allowed) in the database. */
  exec(sql: string): Promise<void>;
  drop(): Promise<void>;
}

export async function createMariaDbDatabase(
  label: string,
  ...sqlFiles: readonly string[]
): Promise<TestMariaDbDatabase> {
  const name = `dlrn_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = await mysql.createConnection({ ...TEST_MARIADB, multipleStatements: true });
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  } finally {
    await admin.end();
  }
  const exec = async (sql: string): Promise<void> => {
    const connection = await mysql.createConnection({ ...TEST_MARIADB, database: name, multipleStatements: true });
    try {
      await connection.query(sql);
    } finally {
      await connection.end();
    }
  };
  for (const file of sqlFiles) await exec(readFileSync(join(DLRN_DB_FIXTURES, file), 'utf8'));
  return {
    name,
    url: `mysql+pymysql://${TEST_MARIADB.user}@${TEST_MARIADB.host}:${TEST_MARIADB.port}/${name}`,
    exec,
    drop: async () => {
      const connection = await mysql.createConnection({ ...TEST_MARIADB });
      try {
        await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await connection.end();
      }
    },
  };
}

/** A projects.ini (the FLOCK 2017 seed) whose event store and read models live in `dir`. */
export function configIn(dir: string): string {
  mkdirSync(dir, { recursive: true });
  cpSync('test/fixtures/config/seed-flock2017', dir, { recursive: true });
  const ini = join(dir, 'projects.ini');
  appendFileSync(
    ini,
    `\n[service]\nevent_store=sqlite:///${join(dir, 'events.sqlite')}\nread_model_store=sqlite:///${join(dir, 'views.sqlite')}\n`,
  );
  return ini;
}
