import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { BuildDoc } from '#domain/projections/index.js';
import { ResourceQueries, type BuildFilters } from '../resource-queries.js';

/** `GET /api/builds` and `GET /api/packages/:name/builds`: one page of counted builds, newest result first. */
export class BuildTimelineQuery extends Query<BuildDoc[]> {
  constructor(
    readonly filters: BuildFilters,
    /** A log position to answer at (time travel, `as_of`); null: now. */
    readonly at: number | null = null,
  ) {
    super();
  }
}

@QueryHandler(BuildTimelineQuery)
export class BuildTimelineHandler implements IQueryHandler<BuildTimelineQuery, BuildDoc[]> {
  constructor(@Inject(ResourceQueries) private readonly queries: ResourceQueries) {}

  execute({ filters, at }: BuildTimelineQuery): Promise<BuildDoc[]> {
    return this.queries.at(at).builds(filters);
  }
}
