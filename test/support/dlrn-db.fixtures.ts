import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

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
