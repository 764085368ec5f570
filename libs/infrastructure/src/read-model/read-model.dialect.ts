import type { CreateTableBuilder, Expression, Kysely } from 'kysely';
import type { BatchWrites, LockOptions, ProjectionLock, ReadModelTransaction } from '#domain/projections/projection.js';
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
  /** Every document version is kept in history tables (time travel). */
  readonly history: boolean;
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
  tryLock(
    db: Kysely<ReadModelTables>,
    name: string,
    owner: string,
    options?: LockOptions,
  ): Promise<RenewableProjectionLock | null>;
  /**
   * The projector's transaction over `tx` (the store began it), with statements written for the
   * database: SQLite steps prepared statements directly on its one connection (synchronous
   * driver; building a Kysely query per batch cost more than running it), PostgreSQL sends a
   * batch of rows as one json parameter (a KyselyReadModelTransaction with faster batch writes).
   */
  readonly openTransaction: (tx: Kysely<ReadModelTables>) => ReadModelTransaction;
  /**
   * Commits a projector batch its own way (SQLite files: large ones on a writer thread). Absent,
   * or undefined returned: one transaction here.
   */
  readonly commitBatch?: (writes: BatchWrites) => Promise<void> | undefined;
  /** Releases what the dialect holds besides the connection (the writer thread). */
  readonly close?: () => Promise<void>;
}
