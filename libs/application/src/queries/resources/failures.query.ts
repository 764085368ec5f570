import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { PackageStatusDoc } from '#domain/projections/index.js';
import { ResourceQueries } from '../resource-queries.js';

/** `GET /api/failures`: packages whose last build failed, oldest breakage first. */
export class FailuresQuery extends Query<PackageStatusDoc[]> {}

@QueryHandler(FailuresQuery)
export class FailuresHandler implements IQueryHandler<FailuresQuery, PackageStatusDoc[]> {
  constructor(@Inject(ResourceQueries) private readonly queries: ResourceQueries) {}

  execute(): Promise<PackageStatusDoc[]> {
    return this.queries.failures();
  }
}
