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

/**
 * The file of DLRN's `database_connection` URL, read as SQLAlchemy reads it:
 * `sqlite:////abs/path` (four slashes) is absolute, `sqlite:///rel/path` is relative to the
 * working directory. Only SQLite can be read; a MariaDB/MySQL or PostgreSQL URL is refused.
 */
export function sqliteFileOfUrl(url: string, cwd: string = process.cwd()): string {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1];
  if (scheme === undefined) {
    throw new DlrnDatabaseError(url, 'expected a database URL such as sqlite:////var/lib/dlrn/commits.sqlite');
  }
  if (scheme.toLowerCase() !== 'sqlite') {
    // A MariaDB URL may hold a password: never echo it.
    throw new DlrnDatabaseError(
      url.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@'),
      `unsupported scheme '${scheme}': only SQLite databases (sqlite:///<path>) can be imported (copy a MariaDB database into SQLite first)`,
    );
  }
  const rest = url.slice(`${scheme}://`.length);
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
