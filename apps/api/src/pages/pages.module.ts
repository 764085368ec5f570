import { Module } from '@nestjs/common';
import { ReadModelStore } from '#domain/projections/projection.js';
import { DashboardQueries } from '#application/reports/index.js';
import { CiVotesPagesHttpController } from './civotes-pages.http.controller.js';
import { ReportPagesHttpController } from './report-pages.http.controller.js';
import { StaticAssetsHttpController } from './static-assets.http.controller.js';

/**
 * The dashboard: DLRN's HTML pages (and status_report.csv) rendered on the server from the
 * projections. Needs the global DLRN_CONFIG (CoreModule) and ReadModelStore (ReadModelModule).
 */
@Module({
  controllers: [ReportPagesHttpController, CiVotesPagesHttpController, StaticAssetsHttpController],
  providers: [
    {
      provide: DashboardQueries,
      inject: [ReadModelStore],
      useFactory: (store: ReadModelStore) => new DashboardQueries(store),
    },
  ],
})
export class PagesModule {}
