import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DlrnQueries } from '#application/queries/dlrn-queries.js';

export interface BuildCounts {
  readonly succeeded: number;
  readonly failed: number;
}

/** `GET /api/metrics/builds`: counted successes in [start, end), failures in [start, end] (DLRN's bounds). */
export class BuildCountsQuery extends Query<BuildCounts> {
  constructor(
    /** Epoch seconds. */
    readonly start: number,
    readonly end: number,
    readonly packageName: string | null,
  ) {
    super();
  }
}

@QueryHandler(BuildCountsQuery)
export class BuildCountsHandler implements IQueryHandler<BuildCountsQuery, BuildCounts> {
  constructor(@Inject(DlrnQueries) private readonly queries: DlrnQueries) {}

  async execute({ start, end, packageName }: BuildCountsQuery): Promise<BuildCounts> {
    const { succeeded, failed } = await this.queries.buildCounts(start, end, packageName);
    return { succeeded, failed };
  }
}
