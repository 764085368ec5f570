import { isAbsolute, resolve } from 'node:path';

/** The source database cannot be read: the message names the file (or URL) and the problem. */
export class DlrnDatabaseError extends Error {
  constructor(
    readonly source: string,
    reason: string,
  ) {
    super(`${source}: ${reason}`);
    this.name = 'DlrnDatabaseError';
  }
}

/** A MariaDB/MySQL server, as a SQLAlchemy `mysql+pymysql://` URL names it. */
export interface MysqlLocation {
  readonly kind: 'mysql';
  /** The URL without its password: what messages show. */
  readonly label: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** PyMySQL's `unix_socket` query parameter. */
  readonly socketPath: string | null;
  /** PyMySQL's `charset` query parameter (DLRN's sites use utf8). */
  readonly charset: string | null;
  /** PyMySQL's `ssl_ca`, `ssl_cert`, `ssl_key` query parameters: files, read when connecting. */
  readonly ssl: { readonly ca?: string; readonly cert?: string; readonly key?: string } | null;
}

export interface SqliteLocation {
  readonly kind: 'sqlite';
  /** The file: what messages show. */
  readonly label: string;
  readonly file: string;
}

/** Where a DLRN database is, from its `database_connection` URL. */
export type DlrnDatabaseLocation = SqliteLocation | MysqlLocation;

/**
 * SQLAlchemy's dialect[+driver] names for MariaDB/MySQL. DLRN documents `mysql+pymysql`; the
 * other drivers speak the same protocol, and SQLAlchemy accepts `mariadb` as the dialect.
 */
const MYSQL_SCHEMES = new Set(
  ['mysql', 'mariadb'].flatMap((dialect) =>
    ['', '+pymysql', '+mysqlconnector', '+mysqldb'].map((driver) => dialect + driver),
  ),
);

/** PyMySQL connect arguments DLRN's docs use in the URL query, and what we do with them. */
const MYSQL_QUERY_KEYS = ['charset', 'unix_socket', 'ssl_ca', 'ssl_cert', 'ssl_key'] as const;
const CHARSETS = new Set(['utf8', 'utf8mb3', 'utf8mb4', 'latin1']);

/** A database URL with its password replaced by `***`: safe to print. */
export function maskDatabaseUrl(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^:/@]*):[^@]*@/, '$1:***@');
}

/**
 * Reads DLRN's `database_connection` URL as SQLAlchemy does: `sqlite:////abs/path` (four
 * slashes) is absolute, `sqlite:///rel/path` is relative to the working directory;
 * `mysql+pymysql://user:password@host[:port]/database[?charset=…&ssl_ca=…]` names a MariaDB or
 * MySQL server (user and password percent-decoded, port 3306 by default).
 */
export function parseDlrnDatabaseUrl(url: string, cwd: string = process.cwd()): DlrnDatabaseLocation {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1];
  if (scheme === undefined) {
    throw new DlrnDatabaseError(
      maskDatabaseUrl(url),
      'expected a database URL such as sqlite:////var/lib/dlrn/commits.sqlite or mysql+pymysql://user:password@host/dlrn',
    );
  }
  const lower = scheme.toLowerCase();
  if (lower === 'sqlite') {
    const file = sqliteFileOfUrl(url, cwd);
    return { kind: 'sqlite', label: file, file };
  }
  if (MYSQL_SCHEMES.has(lower)) return mysqlLocationOfUrl(url, scheme);
  throw new DlrnDatabaseError(
    maskDatabaseUrl(url),
    `unsupported scheme '${scheme}': DLRN databases are read from SQLite (sqlite:///<path>) or MariaDB/MySQL (mysql+pymysql://user:password@host/db)`,
  );
}

/** The file of a `sqlite://` URL. */
export function sqliteFileOfUrl(url: string, cwd: string = process.cwd()): string {
  const rest = url.replace(/^sqlite:\/\//i, '');
  if (rest === url) throw new DlrnDatabaseError(maskDatabaseUrl(url), 'not a sqlite:// URL');
  if (!rest.startsWith('/') || rest === '/' || rest === '/:memory:') {
    throw new DlrnDatabaseError(
      url,
      'no database file: expected sqlite:///<relative path> or sqlite:////<absolute path>',
    );
  }
  if (rest.includes('?')) throw new DlrnDatabaseError(url, 'URL query parameters are not supported');
  const path = decodeURIComponent(rest.slice(1));
  return isAbsolute(path) ? path : resolve(cwd, path);
}

function mysqlLocationOfUrl(url: string, scheme: string): MysqlLocation {
  const label = maskDatabaseUrl(url);
  const bad = (reason: string): DlrnDatabaseError => new DlrnDatabaseError(label, reason);
  // user[:password]@host[:port]/database[?query], with SQLAlchemy's own pattern: the password
  // holds any character but '@' unescaped.
  const match =
    /^(?:([^:/@]*)(?::([^@]*))?@)?(\[[^\]]*\]|[^:/?#@]*)(?::([^/?#]*))?(?:\/([^?#]*))?(?:\?([^#]*))?$/s.exec(
      url.slice(scheme.length + 3),
    );
  if (match === null) throw bad('cannot read the URL: expected mysql+pymysql://user:password@host[:port]/database');
  const [, rawUser, rawPassword, rawHost, rawPort, rawDatabase, rawQuery] = match;
  const decode = (value: string | undefined, what: string): string => {
    try {
      return decodeURIComponent(value ?? '');
    } catch {
      throw bad(`the ${what} is not valid percent-encoding`);
    }
  };
  const host = (rawHost ?? '').replace(/^\[(.*)\]$/, '$1');
  let port = 3306;
  if (rawPort !== undefined && rawPort !== '') {
    if (!/^\d{1,5}$/.test(rawPort) || Number(rawPort) < 1 || Number(rawPort) > 65535) {
      throw bad(`invalid port '${rawPort}'`);
    }
    port = Number(rawPort);
  }
  const database = decode(rawDatabase, 'database name');
  if (database === '') throw bad('no database name: expected mysql+pymysql://user:password@host/<database>');
  const query = new URLSearchParams(rawQuery ?? '');
  const value = (key: (typeof MYSQL_QUERY_KEYS)[number]): string | undefined => query.get(key) ?? undefined;
  for (const key of query.keys()) {
    if (!(MYSQL_QUERY_KEYS as readonly string[]).includes(key)) {
      throw bad(`unsupported URL parameter '${key}' (supported: ${MYSQL_QUERY_KEYS.join(', ')})`);
    }
  }
  const charset = value('charset') ?? null;
  if (charset !== null && !CHARSETS.has(charset.toLowerCase())) {
    throw bad(`unsupported charset '${charset}' (supported: ${[...CHARSETS].join(', ')})`);
  }
  const socketPath = value('unix_socket') ?? null;
  if (host === '' && socketPath === null) throw bad('no host: expected mysql+pymysql://user:password@<host>/database');
  const ca = value('ssl_ca');
  const cert = value('ssl_cert');
  const key = value('ssl_key');
  if ((cert === undefined) !== (key === undefined)) throw bad('ssl_cert and ssl_key go together');
  const ssl =
    ca === undefined && cert === undefined
      ? null
      : {
          ...(ca === undefined ? {} : { ca }),
          ...(cert === undefined ? {} : { cert }),
          ...(key === undefined ? {} : { key }),
        };
  return {
    kind: 'mysql',
    label,
    host: host === '' ? 'localhost' : host,
    port,
    user: decode(rawUser, 'user name'),
    password: decode(rawPassword, 'password'),
    database,
    socketPath,
    charset,
    ssl,
  };
}
