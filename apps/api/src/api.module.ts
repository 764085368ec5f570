import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import pino, { type Logger } from 'pino';
import { ReadModelStore } from '#domain/projections/index.js';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { CoreModule } from '#infrastructure/nest/core.module.js';
import { ReadModelModule } from '#infrastructure/nest/read-model.module.js';
import { authenticatorProvider } from './auth/authenticator.provider.js';
import { BuildsHttpController } from './dlrn/builds.http.controller.js';
import { EventWriter } from './dlrn/event-writer.js';
import { PromotionsHttpController } from './dlrn/promotions.http.controller.js';
import { PromotionsService } from './dlrn/promotions.service.js';
import { RecheckService } from './dlrn/recheck.service.js';
import { API_LOGGER, PACKAGES_LOADER, type PackagesLoader } from '#infrastructure/nest/tokens.js';
import { RemoteImportService } from './dlrn/remote-import.service.js';
import { VotesHttpController } from './dlrn/votes.http.controller.js';
import { VotesService } from './dlrn/votes.service.js';
import { HealthHttpController } from './health/health.http.controller.js';
import { MetricsHttpController } from './metrics/metrics.http.controller.js';
import { GraphqlModule } from './graphql/graphql.module.js';
import { PagesModule } from './pages/pages.module.js';
import { ResourcesModule } from './resources/resources.module.js';
import { PrometheusMetrics } from './metrics/prometheus.js';
import { DlrnQueries } from '#application/queries/dlrn-queries.js';
import { ViewVersion } from './views/view-version.js';
import { ViewsModule } from './views/views.module.js';


export interface ApiOptions {
  /** pino level; `silent` in tests. Default `info`. */
  readonly logLevel?: string;
  /** How often each replica looks for newer views (ms). */
  readonly viewPollMs?: number;
  /** The package list, for remote imports (null: the API refuses them). */
  readonly loadPackages?: PackagesLoader;
}

/** The HTTP API's composition root: DLRN-compatible endpoints over the event store and views. */
@Module({})
export class ApiModule {
  static forRoot(config: DlrnConfig, options: ApiOptions = {}): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        CoreModule.forRoot(config),
        ReadModelModule.forRoot(config),
        ViewsModule.forRoot({ pollMs: options.viewPollMs }),
        CqrsModule.forRoot(),
        PagesModule,
        GraphqlModule,
        ResourcesModule,
      ],
      controllers: [
        HealthHttpController,
        VotesHttpController,
        PromotionsHttpController,
        BuildsHttpController,
        MetricsHttpController,
      ],
      providers: [
        {
          provide: API_LOGGER,
          useFactory: (): Logger =>
            pino({ level: options.logLevel ?? 'info', base: { service: 'dlrn-api' } }, pino.destination(1)),
        },
        {
          provide: DlrnQueries,
          inject: [ReadModelStore],
          useFactory: (store: ReadModelStore) => new DlrnQueries(store),
        },
        authenticatorProvider(API_LOGGER),
        {
          provide: PrometheusMetrics,
          inject: [DlrnQueries, ViewVersion],
          useFactory: (queries: DlrnQueries, views: ViewVersion) =>
            new PrometheusMetrics(config.default.baseurl ?? '', () =>
              views.cached('build-totals', () => queries.buildTotals()),
            ),
        },
        EventWriter,
        VotesService,
        PromotionsService,
        RecheckService,
        RemoteImportService,
        { provide: PACKAGES_LOADER, useValue: options.loadPackages ?? null },
      ],
    };
  }
}
