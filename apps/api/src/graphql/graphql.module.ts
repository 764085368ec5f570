import { Logger, Module } from '@nestjs/common';
import { ReadModelStore } from '#domain/projections/index.js';
import { GraphqlExecutor } from './graphql.executor.js';
import { GraphqlHttpController } from './graphql.http.controller.js';

/**
 * DLRN's `/api/graphql` over the projections. Needs the global ReadModelStore
 * (ReadModelModule); the auth hook of createApiApp guards it as a read.
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
  ],
})
export class GraphqlModule {}
