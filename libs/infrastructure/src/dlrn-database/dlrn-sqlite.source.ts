import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { DlrnDatabaseError } from './dlrn-database-url.js';
import type { DlrnSqlSource, RawRow } from './dlrn-sql.source.js';

/** A DLRN SQLite file, opened read-only. */
export class DlrnSqliteSource implements DlrnSqlSource {
  private constructor(
    readonly label: string,
    private readonly db: Database.Database,
  ) {}

  /** Opens the file: it exists, is a file, and SQLite can open it. */
  static open(file: string): DlrnSqliteSource {
    let stat;
    try {
      stat = statSync(file);
    } catch {
      throw new DlrnDatabaseError(file, 'no such file');
    }
    if (!stat.isFile()) throw new DlrnDatabaseError(file, 'not a file');
    try {
      return new DlrnSqliteSource(file, new Database(file, { readonly: true, fileMustExist: true }));
    } catch (error) {
      throw new DlrnDatabaseError(file, `cannot open: ${(error as Error).message}`);
    }
  }

  tableNames(): Promise<ReadonlySet<string>> {
    return this.run(() => {
      const rows = this.db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all();
      return new Set(rows.map((t) => t.name));
    });
  }

  columnNames(table: string): Promise<ReadonlySet<string>> {
    return this.run(() => {
      const rows = this.db.prepare<[], { name: string }>(`PRAGMA table_info(${this.quote(table)})`).all();
      return new Set(rows.map((c) => c.name));
    });
  }

  all(sql: string, params: readonly (string | number)[] = []): Promise<RawRow[]> {
    return this.run(() => this.db.prepare<unknown[], RawRow>(sql).all(...params));
  }

  quote(identifier: string): string {
    return `"${identifier.replaceAll('"', '""')}"`;
  }

  /** SQLite's default collation (BINARY) already compares bytes. */
  bytewise(expression: string): string {
    return expression;
  }

  close(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }

  /** SQLite errors (corrupt pages, not a database) as a DlrnDatabaseError naming the file. */
  private run<T>(read: () => T): Promise<T> {
    try {
      return Promise.resolve(read());
    } catch (error) {
      if (error instanceof Database.SqliteError) {
        const what =
          error.code === 'SQLITE_NOTADB'
            ? 'not an SQLite database'
            : error.code === 'SQLITE_CORRUPT'
              ? 'the database is corrupt'
              : 'cannot be read';
        return Promise.reject(new DlrnDatabaseError(this.label, `${what} (${error.message})`));
      }
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
