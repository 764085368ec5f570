import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { GraphqlExecutor, type GraphqlAnswer, type GraphqlParams } from './graphql.executor.js';

/**
 * `/api/graphql`: one GraphQL document run over the projections (DLRN's `commits`, `civote`,
 * `civoteAgg`, `packageStatus`). Its nested fields share one reader and one read budget, so the
 * whole document is one query.
 */
export class GraphqlQuery extends Query<GraphqlAnswer> {
  constructor(readonly params: GraphqlParams) {
    super();
  }
}

@QueryHandler(GraphqlQuery)
export class GraphqlQueryHandler implements IQueryHandler<GraphqlQuery, GraphqlAnswer> {
  constructor(@Inject(GraphqlExecutor) private readonly executor: GraphqlExecutor) {}

  execute({ params }: GraphqlQuery): Promise<GraphqlAnswer> {
    return this.executor.run(params);
  }
}
