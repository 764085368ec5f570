import { readFileSync } from 'node:fs';
import mysql from 'mysql2/promise';
import { DlrnDatabaseError, type MysqlLocation } from './dlrn-database-url.js';
import type { DlrnSqlSource, RawRow } from './dlrn-sql.source.js';

/** mysql2's error fields (its own Error subclass is not exported as a value by the promise API). */
interface DriverError extends Error {
  readonly code?: string;
  readonly errno?: number;
}

/**
 * A DLRN database on MariaDB or MySQL, read over one connection inside one read-only
 * transaction with a consistent snapshot: a DLRN still writing while the import runs changes
 * nothing the import sees, and the check and append passes read the same rows.
 */
export class DlrnMysqlSource implements DlrnSqlSource {
  readonly label: string;

  private constructor(
    private readonly location: MysqlLocation,
    private readonly connection: mysql.Connection,
  ) {
    this.label = location.label;
  }

  static async open(location: MysqlLocation): Promise<DlrnMysqlSource> {
    let connection: mysql.Connection;
    try {
      connection = await mysql.createConnection({
        ...(location.socketPath === null
          ? { host: location.host, port: location.port }
          : { socketPath: location.socketPath }),
        user: location.user,
        password: location.password,
        database: location.database,
        // mysql2 decodes every column by its own character set; utf8mb4 on the wire loses nothing.
        charset: 'utf8mb4',
        ...(location.ssl === null ? {} : { ssl: sslOptions(location) }),
        connectTimeout: 10_000,
        supportBigNumbers: true,
        // DLRN stores epoch seconds in INTEGER columns; a DATETIME column of a hand-altered schema
        // is read as UTC.
        timezone: 'Z',
      });
    } catch (error) {
      throw connectError(location, error);
    }
    const source = new DlrnMysqlSource(location, connection);
    try {
      await connection.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      await connection.query('START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT');
    } catch (error) {
      await source.close();
      throw source.wrap(error);
    }
    return source;
  }

  async tableNames(): Promise<ReadonlySet<string>> {
    const rows = await this.all(
      'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()',
    );
    return new Set(rows.map((row) => String(row['name'])));
  }

  async columnNames(table: string): Promise<ReadonlySet<string>> {
    const rows = await this.all(
      'SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
      [table],
    );
    return new Set(rows.map((row) => String(row['name'])));
  }

  async all(sql: string, params: readonly (string | number)[] = []): Promise<RawRow[]> {
    try {
      const [rows] = await this.connection.query<mysql.RowDataPacket[]>(sql, [...params]);
      return rows;
    } catch (error) {
      throw this.wrap(error);
    }
  }

  quote(identifier: string): string {
    return `\`${identifier.replaceAll('`', '``')}\``;
  }

  /** MariaDB's default collations ignore case; SQLite's compares bytes: order as SQLite does. */
  bytewise(expression: string): string {
    return `BINARY ${expression}`;
  }

  async close(): Promise<void> {
    try {
      await this.connection.end();
    } catch {
      this.connection.destroy();
    }
  }

  private wrap(error: unknown): Error {
    if (error instanceof DlrnDatabaseError) return error;
    const e = error as DriverError;
    const where = this.location.socketPath ?? `${this.location.host}:${this.location.port}`;
    return new DlrnDatabaseError(this.label, `cannot be read on ${where} (${e.code ?? 'error'}: ${e.message})`);
  }
}

function sslOptions(location: MysqlLocation): mysql.SslOptions {
  const read = (what: string, file: string | undefined): string | undefined => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new DlrnDatabaseError(location.label, `cannot read ${what} ${file}: ${(error as Error).message}`);
    }
  };
  const ca = read('ssl_ca', location.ssl?.ca);
  const cert = read('ssl_cert', location.ssl?.cert);
  const key = read('ssl_key', location.ssl?.key);
  return {
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    // As PyMySQL: the server's certificate is verified when a CA is given.
    rejectUnauthorized: ca !== undefined,
  };
}

/** Why the connection failed, naming the server and the user, never the password. */
function connectError(location: MysqlLocation, error: unknown): Error {
  if (error instanceof DlrnDatabaseError) return error;
  const e = error as DriverError;
  const where = location.socketPath ?? `${location.host}:${location.port}`;
  const reason = ((): string => {
    switch (e.code) {
      case 'ECONNREFUSED':
        return `cannot connect to ${where}: connection refused (is MariaDB running there?)`;
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return `cannot connect to ${where}: unknown host ${location.host}`;
      case 'ETIMEDOUT':
        return `cannot connect to ${where}: timed out`;
      case 'ENOENT':
        return `cannot connect to ${where}: no such socket`;
      case 'ER_ACCESS_DENIED_ERROR':
        return `${where} refused user '${location.user}': wrong user name or password`;
      case 'ER_DBACCESS_DENIED_ERROR':
        return `${where} does not let user '${location.user}' read database '${location.database}'`;
      case 'ER_BAD_DB_ERROR':
        return `${where} has no database '${location.database}'`;
      default:
        return `cannot connect to ${where} (${e.code ?? 'error'}: ${e.message})`;
    }
  })();
  return new DlrnDatabaseError(location.label, reason);
}
