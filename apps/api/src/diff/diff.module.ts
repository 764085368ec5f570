import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { DIFF_QUERY_HANDLERS } from '#application/queries/diff/index.js';
import { ResourceQueries } from '#application/queries/resource-queries.js';
import { ReadModelStore } from '#domain/projections/index.js';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { DLRN_CONFIG } from '#infrastructure/nest/tokens.js';
import { DiffHttpController } from './diff.http.controller.js';

/**
 * The repo diff (`/api/diff`, `/api/diff.html`). Needs the global ReadModelStore, EventStore,
 * DLRN_CONFIG, ViewVersion (with TimeTravel's position reads) and the CqrsModule.
 */
@Module({
  controllers: [DiffHttpController],
  providers: [
    {
      provide: ResourceQueries,
      inject: [ReadModelStore, DLRN_CONFIG],
      useFactory: (store: ReadModelStore, config: DlrnConfig) =>
        new ResourceQueries(store, join(config.default.datadir, 'repos')),
    },
    ...DIFF_QUERY_HANDLERS,
  ],
})
export class DiffModule {}
