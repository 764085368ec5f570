import { Logger, Module } from '@nestjs/common';
import { ReadModelStore } from '#domain/projections/index.js';
import { GraphqlExecutor } from '#application/queries/graphql/graphql.executor.js';
import { GraphqlQueryHandler } from '#application/queries/graphql/graphql.query.js';
import { GraphqlHttpController } from './graphql.http.controller.js';

/**
 * DLRN's `/api/graphql` over the projections: the controller asks the QueryBus (GraphqlQuery).
 * Needs the global ReadModelStore (ReadModelModule) and the CqrsModule; the auth hook of
 * createApiApp guards it as a read.
 */
@Module({
  controllers: [GraphqlHttpController],
  providers: [
    {
      provide: GraphqlExecutor,
      inject: [ReadModelStore],
      useFactory: (store: ReadModelStore) => {
        const log = new Logger('graphql');
        return new GraphqlExecutor(store, (error) => log.error(error instanceof Error ? error.stack : String(error)));
      },
    },
    GraphqlQueryHandler,
  ],
})
export class GraphqlModule {}
