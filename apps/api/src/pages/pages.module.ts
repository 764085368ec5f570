import { Module } from '@nestjs/common';
import { ReadModelStore } from '#domain/projections/projection.js';
import { DashboardQueries } from '#application/queries/dashboard.queries.js';
import { PAGE_QUERY_HANDLERS } from '#application/queries/pages/index.js';
import { CiVotesPagesHttpController } from './civotes-pages.http.controller.js';
import { ReportPagesHttpController } from './report-pages.http.controller.js';
import { StaticAssetsHttpController } from './static-assets.http.controller.js';

/**
 * The dashboard: DLRN's HTML pages (and status_report.csv) rendered on the server from the
 * projections, each page through one QueryBus handler. Needs the global DLRN_CONFIG (CoreModule),
 * ReadModelStore (ReadModelModule) and the CqrsModule.
 */
@Module({
  controllers: [ReportPagesHttpController, CiVotesPagesHttpController, StaticAssetsHttpController],
  providers: [
    {
      provide: DashboardQueries,
      inject: [ReadModelStore],
      useFactory: (store: ReadModelStore) => new DashboardQueries(store),
    },
    ...PAGE_QUERY_HANDLERS,
  ],
})
export class PagesModule {}
