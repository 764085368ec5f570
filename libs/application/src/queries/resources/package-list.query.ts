import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { PackageStatusDoc } from '#domain/projections/index.js';
import { ResourceQueries, type PackageFilters } from '../resource-queries.js';

/** `GET /api/packages`: every package's status, by name. */
export class PackageListQuery extends Query<PackageStatusDoc[]> {
  constructor(
    readonly filters: PackageFilters,
    /** A log position to answer at (time travel, `as_of`); null: now. */
    readonly at: number | null = null,
  ) {
    super();
  }
}

@QueryHandler(PackageListQuery)
export class PackageListHandler implements IQueryHandler<PackageListQuery, PackageStatusDoc[]> {
  constructor(@Inject(ResourceQueries) private readonly queries: ResourceQueries) {}

  execute({ filters, at }: PackageListQuery): Promise<PackageStatusDoc[]> {
    return this.queries.at(at).packages(filters);
  }
}
