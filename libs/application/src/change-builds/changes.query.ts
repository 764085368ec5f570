import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import {
  changeBuildsProjection,
  ReadModelStore,
  type ChangeBuildDoc,
  type ChangeBuildDocState,
} from '#domain/projections/index.js';

export interface ChangeBuildFilters {
  readonly package: string | null;
  readonly forge: string | null;
  readonly state: ChangeBuildDocState | null;
  readonly limit: number;
  /** Cursor: only builds requested before this log position. */
  readonly before: number | null;
}

export interface ChangeBuildsPage {
  readonly changes: readonly ChangeBuildDoc[];
  /** The cursor of the next page; null on the last. */
  readonly nextBefore: number | null;
}

/** `GET /api/changes` and the changes page: change builds, newest request first. */
export class ChangeBuildsQuery extends Query<ChangeBuildsPage> {
  constructor(readonly filters: ChangeBuildFilters) {
    super();
  }
}

@QueryHandler(ChangeBuildsQuery)
export class ChangeBuildsHandler implements IQueryHandler<ChangeBuildsQuery, ChangeBuildsPage> {
  constructor(@Inject(ReadModelStore) private readonly store: ReadModelStore) {}

  async execute({ filters }: ChangeBuildsQuery): Promise<ChangeBuildsPage> {
    const where = {
      ...(filters.package === null ? {} : { package: filters.package }),
      ...(filters.forge === null ? {} : { forge: filters.forge }),
      ...(filters.state === null ? {} : { state: filters.state }),
    };
    const rows = await this.store.find(changeBuildsProjection, {
      where,
      ...(filters.before === null ? {} : { range: { requested_position: { lt: filters.before } } }),
      orderBy: [{ column: 'requested_position', direction: 'desc' }],
      limit: filters.limit + 1,
    });
    const page = rows.slice(0, filters.limit).map((row) => row.doc);
    const last = page[page.length - 1];
    return { changes: page, nextBefore: rows.length > filters.limit && last ? last.requestedPosition : null };
  }
}
