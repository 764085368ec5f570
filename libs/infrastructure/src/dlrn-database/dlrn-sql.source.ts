/** One row as the database driver returns it, keyed by column alias. */
export type RawRow = Record<string, unknown>;

/**
 * The few things the DLRN reader asks of a database engine, so that one reader (its queries,
 * row conversion and merge order) serves SQLite and MariaDB/MySQL alike. Every failure is a
 * DlrnDatabaseError naming `label` (a file, or a URL without its password).
 */
export interface DlrnSqlSource {
  /** What messages name: the SQLite file, or the MariaDB URL with its password masked. */
  readonly label: string;
  /** The tables of the database. */
  tableNames(): Promise<ReadonlySet<string>>;
  /** The columns of one table. */
  columnNames(table: string): Promise<ReadonlySet<string>>;
  /** Every row of a query; `?` placeholders take `params`. */
  all(sql: string, params?: readonly (string | number)[]): Promise<RawRow[]>;
  /** An identifier quoted for the engine (`"user"` in SQLite, `` `user` `` in MariaDB). */
  quote(identifier: string): string;
  /** An expression compared and sorted byte by byte (MariaDB's collations ignore case). */
  bytewise(expression: string): string;
  close(): Promise<void>;
}
