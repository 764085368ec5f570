import { StorageError, type StorageFailure } from '#domain/shared/errors.js';

/** Error codes of SQLite (better-sqlite3's `code`), PostgreSQL (SQLSTATE) and Node's file system. */
const FULL = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT', '53100', '53200']);
const READ_ONLY = new Set(['EROFS', 'EACCES', 'EPERM', '25006']);
const UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', '57P01', '57P03', '08006']);

/**
 * What kind of storage failure an error is, or null when it is not one (a bug, a conflict, bad
 * input). SQLite's extended codes (`SQLITE_IOERR_WRITE`, `SQLITE_READONLY_DBMOVED`) count by their
 * family; an I/O error is taken as a full disk when the OS said so, as unavailable otherwise.
 */
export function storageFailureOf(error: unknown): StorageFailure | null {
  if (error instanceof StorageError) return error.failure;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (FULL.has(code)) return 'full';
  if (READ_ONLY.has(code) || code.startsWith('SQLITE_READONLY')) return 'read-only';
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_BUSY' || code.startsWith('SQLITE_IOERR')) return 'unavailable';
  if (UNAVAILABLE.has(code)) return 'unavailable';
  return null;
}

/** `error` as a StorageError naming `store` when it is a storage failure; `error` itself otherwise. */
export function asStorageError(error: unknown, store: string): unknown {
  if (error instanceof StorageError) return error;
  const failure = storageFailureOf(error);
  return failure === null ? error : new StorageError(store, failure, error);
}

/**
 * Opens a database file, naming the file and the likely cause when it cannot be opened: SQLite
 * only says `unable to open database file`, which names neither.
 */
export function openDatabaseFile<T>(what: string, file: string, open: () => T): T {
  try {
    return open();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const hint =
      code === 'SQLITE_CANTOPEN' || code === 'EACCES' || code === 'EROFS'
        ? ' (is its directory writable by this user?)'
        : code === 'SQLITE_FULL' || code === 'ENOSPC'
          ? ' (the disk is full)'
          : '';
    throw new Error(`cannot open the ${what} ${file}: ${(error as Error).message}${hint}`, { cause: error });
  }
}
