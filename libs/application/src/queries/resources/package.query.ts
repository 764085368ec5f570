import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { PackageStatusDoc } from '#domain/projections/index.js';
import { ResourceQueries } from '../resource-queries.js';

/** `GET /api/packages/:name` (and its badge): one package's status, null when none is known. */
export class PackageQuery extends Query<PackageStatusDoc | null> {
  constructor(
    readonly name: string,
    /** A log position to answer at (time travel, `as_of`); null: now. */
    readonly at: number | null = null,
  ) {
    super();
  }
}

@QueryHandler(PackageQuery)
export class PackageHandler implements IQueryHandler<PackageQuery, PackageStatusDoc | null> {
  constructor(@Inject(ResourceQueries) private readonly queries: ResourceQueries) {}

  execute({ name, at }: PackageQuery): Promise<PackageStatusDoc | null> {
    return this.queries.at(at).package(name);
  }
}
