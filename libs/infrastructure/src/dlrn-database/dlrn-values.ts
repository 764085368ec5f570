/*
 * Column values as the engines hand them over, normalised: SQLite gives numbers and strings;
 * MariaDB/MySQL gives numbers for INTEGER and TINYINT(1) (SQLAlchemy's Boolean), strings for
 * VARCHAR/TEXT, and, for columns a hand-altered schema may hold, Buffers (BINARY, BLOB, BIT),
 * Dates (DATETIME) or big-number strings.
 */

export const text = (value: unknown): string => optText(value) ?? '';

export const optText = (value: unknown): string | null => {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return String(value);
};

/** Epoch seconds, counts and flags; a DATETIME reads as its epoch seconds. */
export const optNumber = (value: unknown): number | null => {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return Number.isFinite(value.getTime()) ? Math.floor(value.getTime() / 1000) : null;
  const n = Number(Buffer.isBuffer(value) ? value.toString('utf8') : value);
  return Number.isFinite(n) ? n : null;
};

/** A Boolean column: 1 for true (SQLite's 1, MariaDB's TINYINT 1 or BIT b'1'), else 0. */
export const flag = (value: unknown): number => {
  if (Buffer.isBuffer(value)) return value.some((byte) => byte !== 0) ? 1 : 0;
  return value === 1 || value === 1n || value === '1' || value === true || value === 'true' ? 1 : 0;
};
