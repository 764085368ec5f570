import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { ResourceQueries } from '#application/queries/resource-queries.js';
import { RESOURCE_QUERY_HANDLERS } from '#application/queries/resources/index.js';
import { ReadModelStore } from '#domain/projections/index.js';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { DLRN_CONFIG } from '#infrastructure/nest/tokens.js';
import { ResourcesHttpController } from './resources.http.controller.js';

/**
 * The projections as JSON resources (`/api/packages`, `/api/builds`, …): the controller asks the
 * QueryBus, one handler per query. Needs the global ReadModelStore, EventStore, ViewVersion and
 * the CqrsModule.
 */
@Module({
  controllers: [ResourcesHttpController],
  providers: [
    {
      provide: ResourceQueries,
      inject: [ReadModelStore, DLRN_CONFIG],
      useFactory: (store: ReadModelStore, config: DlrnConfig) =>
        new ResourceQueries(store, join(config.default.datadir, 'repos')),
    },
    ...RESOURCE_QUERY_HANDLERS,
  ],
})
export class ResourcesModule {}
