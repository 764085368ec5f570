import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { PackageStatusDoc } from '#domain/projections/index.js';
import { DashboardQueries } from '../dashboard.queries.js';

/** `status_report.csv`: packages with a finished build, by name. */
export class PackageStatusesQuery extends Query<PackageStatusDoc[]> {
  constructor(
    /** A log position to answer at (time travel, `as_of`); null: now. */
    readonly at: number | null = null,
  ) {
    super();
  }
}

@QueryHandler(PackageStatusesQuery)
export class PackageStatusesHandler implements IQueryHandler<PackageStatusesQuery, PackageStatusDoc[]> {
  constructor(@Inject(DashboardQueries) private readonly queries: DashboardQueries) {}

  execute({ at }: PackageStatusesQuery): Promise<PackageStatusDoc[]> {
    return this.queries.at(at).packageStatuses();
  }
}
