import type { CreateTableBuilder, Expression, Kysely } from 'kysely';
import type { ProjectionLock } from '#domain/projections/projection.js';
import type { ReadModelTables } from './read-model.tables.js';

/** A held projection lock; SQLite leases expire unless their holder renews them. */
export interface RenewableProjectionLock extends ProjectionLock {
  /**
   * SQLite: pushes the lease's expiry 30 s (the lease length) ahead; call it well within that
   * time. False when the lease was lost (expired and taken by another owner): stop projecting.
   * PostgreSQL: nothing to renew (the advisory lock lives as long as its connection); false once
   * that connection has failed.
   */
  renew(): Promise<boolean>;
}

/** A column type as Kysely's addColumn takes it (Kysely does not export the type's name). */
export type DataTypeExpression = Parameters<CreateTableBuilder<string>['addColumn']>[1];

/**
 * Everything where SQLite and PostgreSQL truly differ. The queries themselves are written once
 * with Kysely in the store; this object only says which types, options and locks to use.
 */
export interface ReadModelDialect {
  readonly kind: 'sqlite' | 'postgresql';
  /** Bound parameters one statement may carry (SQLite 32766, PostgreSQL 65535). */
  readonly maxParameters: number;
  /** Documents and contexts: TEXT holding JSON (SQLite) or JSONB (PostgreSQL). */
  readonly jsonType: DataTypeExpression;
  /** Keys and text columns; PostgreSQL uses the "C" collation so ordering matches SQLite's bytes. */
  readonly textType: DataTypeExpression;
  /** Positions and integer columns: SQLite's STRICT tables only know INTEGER (64-bit anyway). */
  readonly bigintType: DataTypeExpression;
  /** Appended to CREATE TABLE: SQLite's STRICT, so types are checked as PostgreSQL checks them. */
  readonly tableOptions: Expression<unknown>;
  /** Turns a stored JSON value back into the document (pg has already parsed JSONB). */
  decodeJson(stored: unknown): unknown;
  /** Keeps concurrent `ensure` calls from racing on CREATE … IF NOT EXISTS (a PG catalog race). */
  serializeDdl(tx: Kysely<ReadModelTables>): Promise<void>;
  tryLock(db: Kysely<ReadModelTables>, name: string, owner: string): Promise<RenewableProjectionLock | null>;
  /**
   * How a batch of rows is written with a statement the query layer compiled for one row.
   * SQLite (no network): run that prepared statement once per row, inside the caller's
   * transaction; stepping it 1000 times beats parsing one 1000-row VALUES (measured 85k vs 65k
   * rows/s). Absent (PostgreSQL): the store sends one multi-row statement per chunk instead,
   * one round trip each.
   */
  readonly runPerRow?: (sql: string, rows: readonly (readonly unknown[])[]) => void;
}
