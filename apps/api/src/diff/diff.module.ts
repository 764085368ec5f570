import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { CurrentRepoRefResolver, DIFF_QUERY_HANDLERS, RepoRefResolver } from '#application/queries/diff/index.js';
import { ResourceQueries } from '#application/queries/resource-queries.js';
import { ReadModelStore } from '#domain/projections/index.js';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { DLRN_CONFIG } from '#infrastructure/nest/tokens.js';
import { DiffHttpController } from './diff.http.controller.js';

/**
 * The repo diff (`/api/diff`, `/api/diff.html`). Needs the global ReadModelStore, EventStore,
 * DLRN_CONFIG, ViewVersion and the CqrsModule. Pointer names are read as they are now
 * (CurrentRepoRefResolver): the time-travel reader, once there, replaces that provider.
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
    {
      provide: RepoRefResolver,
      inject: [ResourceQueries],
      useFactory: (q: ResourceQueries) => new CurrentRepoRefResolver(q),
    },
    ...DIFF_QUERY_HANDLERS,
  ],
})
export class DiffModule {}
