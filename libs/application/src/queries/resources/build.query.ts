import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { BuildDoc } from '#domain/projections/index.js';
import { ResourceQueries } from '../resource-queries.js';

/** `GET /api/builds/:id`: one build attempt, null when unknown. */
export class BuildQuery extends Query<BuildDoc | null> {
  constructor(readonly buildId: string) {
    super();
  }
}

@QueryHandler(BuildQuery)
export class BuildHandler implements IQueryHandler<BuildQuery, BuildDoc | null> {
  constructor(@Inject(ResourceQueries) private readonly queries: ResourceQueries) {}

  execute({ buildId }: BuildQuery): Promise<BuildDoc | null> {
    return this.queries.build(buildId);
  }
}
