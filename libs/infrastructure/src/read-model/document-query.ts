import { sql, type ExpressionBuilder, type Expression, type SqlBool } from 'kysely';
import type {
  ColumnValue,
  DocumentFilters,
  DocumentQuery,
  ProjectionDefinition,
  RangeBounds,
} from '#domain/projections/projection.js';
import { requireColumn, type DocumentTableName, type ReadModelTables } from './read-model.tables.js';

type DocumentExpressions = ExpressionBuilder<ReadModelTables, DocumentTableName>;

const RANGE_OPERATORS = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/**
 * The WHERE clause of `find`/`count`. Every column name is checked against the definition first
 * (and Kysely quotes it), so a caller's string never becomes SQL; every value is a parameter.
 */
export function documentFilter(projection: ProjectionDefinition, query: DocumentFilters) {
  // A filter left undefined (an optional field spread in) filters nothing.
  const where = defined<ColumnValue>(query.where);
  const range = defined<RangeBounds>(query.range);
  const prefix = defined<string>(query.prefix);
  for (const [column] of [...where, ...range, ...prefix]) requireColumn(projection, column);
  for (const [column] of prefix) {
    if (projection.columns[column] !== 'text') {
      throw new Error(`projection ${projection.name}: prefix filter on non-text column '${column}'`);
    }
  }
  return (eb: DocumentExpressions): Expression<SqlBool> => {
    const clauses: Expression<SqlBool>[] = [];
    for (const [column, value] of where) {
      clauses.push(value === null ? eb(eb.ref(column), 'is', null) : eb(eb.ref(column), '=', value));
    }
    for (const [column, bounds] of range) {
      for (const [bound, operator] of Object.entries(RANGE_OPERATORS)) {
        const value = bounds[bound as keyof typeof RANGE_OPERATORS];
        if (value !== undefined) clauses.push(eb(eb.ref(column), operator, value));
      }
    }
    for (const [column, value] of prefix) {
      // substr compares exactly in both dialects (SQLite's LIKE ignores ASCII case); lengths
      // count code points in both, as `[...value]` does.
      const length = [...value].length;
      clauses.push(eb(sql`substr(${eb.ref(column)}, 1, ${length})`, '=', value));
    }
    return eb.and(clauses);
  };
}

function defined<Value>(filters: Readonly<Record<string, Value | undefined>> | undefined): [string, Value][] {
  const entries: [string, Value][] = [];
  for (const [column, value] of Object.entries(filters ?? {})) if (value !== undefined) entries.push([column, value]);
  return entries;
}

/** Declared columns only; NULLs sort lowest in both dialects; the key breaks ties so pages are stable. */
export function documentOrder(
  projection: ProjectionDefinition,
  orderBy: DocumentQuery['orderBy'],
): { column: string; direction: 'asc' | 'desc' }[] {
  const order = (orderBy ?? []).map(({ column, direction }) => {
    if (direction !== 'asc' && direction !== 'desc') throw new Error(`bad order direction '${String(direction)}'`);
    return { column: requireColumn(projection, column), direction };
  });
  order.push({ column: '_key', direction: 'asc' });
  return order;
}

export function requireCount(what: 'limit' | 'offset', value: number | undefined): number | undefined {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
    throw new Error(`${what} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}
