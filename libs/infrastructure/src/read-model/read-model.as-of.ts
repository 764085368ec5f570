import { sql, type Expression, type ExpressionBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type {
  DocumentFilters,
  DocumentQuery,
  ProjectionDefinition,
  ReadModelReader,
  StoredDocument,
} from '#domain/projections/projection.js';
import type { DomainEvent } from '#domain/shared/event.js';
import { documentFilter, documentOrder, requireCount } from './document-query.js';
import { tableOf } from './kysely-read-model.transaction.js';
import type { ReadModelDialect } from './read-model.dialect.js';
import {
  asNumber,
  historyTableName,
  keysTableName,
  readingView,
  type DocumentTableName,
  type ReadModelDb,
  type ReadModelTables,
} from './read-model.tables.js';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- Kysely's "nothing selected yet"
type Source = SelectQueryBuilder<ReadModelTables, DocumentTableName, {}>;

/**
 * How a projection's history is read at a position. `stab`: one range scan of the versions
 * (valid_from <= P AND (valid_to IS NULL OR valid_to > P)) through its mirrored indexes, good
 * when most keys have few versions (builds, votes, promotions). `seek`: for each key ever
 * stored, one primary-key seek to its last version at or before P, good for few keys with many
 * versions each (package status, pointers), where a stab would walk every version before P.
 */
type Plan = 'stab' | 'seek';

/** Keys up to which `seek` is considered, and versions per key from which it is chosen. */
const SEEK_MAX_KEYS = 5_000;
const SEEK_MIN_VERSIONS_PER_KEY = 4;
/** How long a projection's chosen plan is kept before its table sizes are counted again. */
const PLAN_TTL_MS = 30_000;

/** Chosen plans per history table, shared by every reader of one store. */
export class AsOfPlans {
  private readonly plans = new Map<string, { plan: Plan; until: number }>();

  constructor(private readonly db: ReadModelDb) {}

  /** Counts are capped, so choosing costs a few thousand index entries at most. */
  async of(projection: ProjectionDefinition): Promise<Plan> {
    const history = historyTableName(projection.name, projection.version);
    const known = this.plans.get(history);
    if (known !== undefined && known.until > Date.now()) return known.plan;
    const keys = await this.cappedCount(keysTableName(projection.name, projection.version), SEEK_MAX_KEYS + 1);
    let plan: Plan = 'stab';
    if (keys <= SEEK_MAX_KEYS) {
      const wanted = Math.max(1, keys) * SEEK_MIN_VERSIONS_PER_KEY;
      if ((await this.cappedCount(history, wanted)) >= wanted) plan = 'seek';
    }
    this.plans.set(history, { plan, until: Date.now() + PLAN_TTL_MS });
    return plan;
  }

  private async cappedCount(table: DocumentTableName, cap: number): Promise<number> {
    const { rows } = await sql<{
      n: number | string;
    }>`SELECT count(*) AS n FROM (SELECT 1 FROM ${sql.table(table)} LIMIT ${cap}) AS c`.execute(this.db);
    return asNumber(rows[0]?.n ?? 0);
  }
}

/**
 * The read side at a log position, from the history tables: the same `find`/`count`/`get`
 * semantics as the store's (filters, order with the key breaking ties, limit/offset), over the
 * versions live at `position`.
 */
export class AsOfReader implements ReadModelReader {
  constructor(
    private readonly db: ReadModelDb,
    private readonly dialect: ReadModelDialect,
    private readonly plans: AsOfPlans,
    readonly position: number,
    private readonly travel: (position: number) => ReadModelReader,
  ) {}

  asOf(position: number): ReadModelReader {
    return this.travel(position);
  }

  async get<Doc>(projection: ProjectionDefinition<Doc>, key: string): Promise<StoredDocument<Doc> | null> {
    tableOf(projection);
    const history = historyTableName(projection.name, projection.version);
    const row = await readingView(projection, () =>
      this.db
        .selectFrom(history)
        .select(['_key', '_doc', '_valid_from', '_valid_to'])
        .where('_key', '=', key)
        .where('_valid_from', '<=', this.position)
        .orderBy('_valid_from', 'desc')
        .limit(1)
        .executeTakeFirst(),
    );
    if (row === undefined || (row['_valid_to'] !== null && asNumber(row['_valid_to']) <= this.position)) return null;
    return this.document<Doc>(row);
  }

  async find<Doc, Column extends string>(
    projection: ProjectionDefinition<Doc, DomainEvent, Column>,
    query: DocumentQuery<NoInfer<Column>> = {},
  ): Promise<StoredDocument<Doc>[]> {
    const definition: ProjectionDefinition = projection;
    const order = documentOrder(definition, query.orderBy);
    const limit = requireCount('limit', query.limit);
    const offset = requireCount('offset', query.offset);
    let select = (await this.live(definition))
      .select(['_key', '_doc', '_valid_from'])
      .where(documentFilter(definition, query));
    for (const { column, direction } of order) {
      select = select.orderBy(column, (ob) => (direction === 'asc' ? ob.asc().nullsFirst() : ob.desc().nullsLast()));
    }
    if (limit !== undefined || offset !== undefined) select = select.limit(limit ?? Number.MAX_SAFE_INTEGER);
    if (offset !== undefined) select = select.offset(offset);
    const rows = await readingView(definition, () => select.execute());
    return rows.map((row) => this.document<Doc>(row));
  }

  async count<Column extends string>(
    projection: ProjectionDefinition<unknown, DomainEvent, Column>,
    query: DocumentFilters<NoInfer<Column>> = {},
  ): Promise<number> {
    const source = await this.live(projection);
    const row = await readingView(projection, () =>
      source
        .select((eb) => eb.fn.countAll().as('n'))
        .where(documentFilter(projection, query))
        .executeTakeFirstOrThrow(),
    );
    return asNumber(row.n);
  }

  /** The versions live at the position, as a table the filters and order apply to. */
  private async live(projection: ProjectionDefinition): Promise<Source> {
    tableOf(projection);
    const history = historyTableName(projection.name, projection.version);
    const at = this.position;
    const alive = (eb: ExpressionBuilder<ReadModelTables, DocumentTableName>): Expression<SqlBool> =>
      eb.and([
        eb(eb.ref('_valid_from'), '<=', at),
        eb.or([eb(eb.ref('_valid_to'), 'is', null), eb(eb.ref('_valid_to'), '>', at)]),
      ]);
    if ((await readingView(projection, () => this.plans.of(projection))) === 'stab')
      return this.db.selectFrom(history).where(alive);
    const keys = keysTableName(projection.name, projection.version);
    // CROSS JOIN keeps the keys outside (SQLite): one seek per key for its last version at P.
    const perKey = sql`(SELECT h.* FROM ${sql.table(keys)} AS k CROSS JOIN ${sql.table(history)} AS h WHERE h."_key" = k."_key" AND h."_valid_from" = (SELECT max(x."_valid_from") FROM ${sql.table(history)} AS x WHERE x."_key" = k."_key" AND x."_valid_from" <= ${at}))`;
    const source = this.db.selectFrom(perKey.as('t') as never) as unknown as Source;
    return source.where(alive);
  }

  private document<Doc>(row: { _key: string; _doc: unknown; _valid_from: unknown }): StoredDocument<Doc> {
    return { key: row._key, doc: this.dialect.decodeJson(row._doc) as Doc, position: asNumber(row._valid_from) };
  }
}
