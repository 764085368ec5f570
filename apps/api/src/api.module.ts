import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { Logger } from 'pino';
import {
  BUILD_TIMINGS_KEY,
  buildTimingsProjection,
  queueProjection,
  ReadModelStore,
} from '#domain/projections/index.js';
import { EventStore } from '#domain/shared/event-store.port.js';
import { Clock, IdGenerator } from '#domain/shared/ports.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { BuildCountsHandler } from '#application/build-metrics/build-counts.query.js';
import { PromoteBatchHandler } from '#application/promotions/promote-batch.handler.js';
import { PromoteHandler } from '#application/promotions/promote.handler.js';
import { PromotedComponentsHandler } from '#application/promotions/promoted-components.query.js';
import { Promoter } from '#application/promotions/promoter.js';
import { PromotionLinksFollower } from '#application/promotions/promotion-links.follower.js';
import { PromotionsHandler } from '#application/promotions/promotions.query.js';
import { RecheckPackageHandler } from '#application/recheck/recheck-package.handler.js';
import { ImportRemoteBuildHandler } from '#application/remote-import/import-remote-build.handler.js';
import { AggStatusHandler } from '#application/votes/agg-status.query.js';
import { ClaimRepoHandler } from '#application/votes/claim-repo.handler.js';
import { LastTestedRepoHandler } from '#application/votes/last-tested-repo.query.js';
import { RepoStatusHandler } from '#application/votes/repo-status.query.js';
import { ReportResultHandler } from '#application/votes/report-result.handler.js';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { CoreModule } from '#infrastructure/nest/core.module.js';
import { createLogger } from '#infrastructure/logging/logger.js';
import { ReadModelModule } from '#infrastructure/nest/read-model.module.js';
import { authenticatorProvider } from './auth/authenticator.provider.js';
import { BuildsHttpController } from './dlrn/builds.http.controller.js';
import { PromotionsHttpController } from './dlrn/promotions.http.controller.js';
import { API_LOGGER, PACKAGES_LOADER, type PackagesLoader } from '#infrastructure/nest/tokens.js';
import { VotesHttpController } from './dlrn/votes.http.controller.js';
import { HealthHttpController } from './health/health.http.controller.js';
import { ReadyHttpController } from './health/ready.http.controller.js';
import { MetricsHttpController } from './metrics/metrics.http.controller.js';
import { GraphqlModule } from './graphql/graphql.module.js';
import { PagesModule } from './pages/pages.module.js';
import { DiffModule } from './diff/diff.module.js';
import { BisectModule } from './bisect/bisect.module.js';
import { DeliveriesModule } from './deliveries/deliveries.module.js';
import { ChangesModule } from './changes/changes.module.js';
import { ResourcesModule } from './resources/resources.module.js';
import { PrometheusMetrics } from './metrics/prometheus.js';
import { DlrnQueries } from '#application/queries/dlrn-queries.js';
import { HISTORY_PROVIDERS } from '#application/queries/history/index.js';
import {
  DEFAULT_MAX_EVENT_STREAMS,
  EVENT_STREAM_OPTIONS,
  EventStreamSlots,
  type EventStreamOptions,
} from './history/event-stream-slots.js';
import { HistoryHttpController } from './history/history.http.controller.js';
import { ViewVersion } from './views/view-version.js';
import { ViewsModule } from './views/views.module.js';
import { WebhooksHttpController } from './webhooks/webhooks.http.controller.js';
import { webhookProviders } from './webhooks/webhooks.providers.js';

/** The API's use cases: one command or query handler each, run through the CQRS buses. */
const API_USE_CASES = [
  ReportResultHandler,
  ClaimRepoHandler,
  PromoteHandler,
  PromoteBatchHandler,
  RecheckPackageHandler,
  ImportRemoteBuildHandler,
  LastTestedRepoHandler,
  RepoStatusHandler,
  AggStatusHandler,
  PromotionsHandler,
  PromotedComponentsHandler,
  BuildCountsHandler,
];

export interface ApiOptions {
  /** pino level; `silent` in tests. Default `info`. */
  readonly logLevel?: string;
  /** The process's logger (`dlrn serve`, `dlrn api`); default: one on stderr at `logLevel`. */
  readonly logger?: Logger;
  /** How often each replica looks for newer views (ms). */
  readonly viewPollMs?: number;
  /** The package list, for remote imports (null: the API refuses them). */
  readonly loadPackages?: PackagesLoader;
  /** `GET /api/events/stream`: streams open at once at most, heartbeat interval. */
  readonly eventStreams?: EventStreamOptions;
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
        DiffModule,
        BisectModule.forRoot(options.loadPackages ?? null),
        DeliveriesModule,
        ChangesModule,
      ],
      controllers: [
        HealthHttpController,
        ReadyHttpController,
        VotesHttpController,
        PromotionsHttpController,
        BuildsHttpController,
        MetricsHttpController,
        HistoryHttpController,
        WebhooksHttpController,
      ],
      providers: [
        {
          provide: API_LOGGER,
          useFactory: (): Logger =>
            options.logger ?? createLogger({ service: 'dlrn-api', level: options.logLevel ?? 'info' }),
        },
        {
          provide: DlrnQueries,
          inject: [ReadModelStore],
          useFactory: (store: ReadModelStore) => new DlrnQueries(store),
        },
        authenticatorProvider(API_LOGGER),
        {
          provide: PrometheusMetrics,
          inject: [DlrnQueries, ViewVersion, EventStore, ReadModelStore],
          useFactory: (queries: DlrnQueries, views: ViewVersion, events: EventStore, readModels: ReadModelStore) =>
            new PrometheusMetrics(
              config.default.baseurl ?? '',
              () => views.cached('build-totals', () => queries.buildTotals()),
              async () => {
                const [head, queue] = await Promise.all([
                  events.headPosition(),
                  views.cached('queue-gauges', async () => ({
                    queued: await readModels.count(queueProjection, { where: { state: 'waiting' } }),
                    building: await readModels.count(queueProjection, { where: { state: 'building' } }),
                    timings: (await readModels.get(buildTimingsProjection, BUILD_TIMINGS_KEY))?.doc ?? null,
                  })),
                ]);
                return { projectionLag: Math.max(0, head - Math.max(0, views.current)), ...queue };
              },
            ),
        },
        {
          // Ten tries, not five: each conflict means another writer won a round, so N concurrent
          // writers of one stream (votes on a repo, a recheck) all get through within N rounds.
          provide: DeciderCommandHandler,
          inject: [EventStore, IdGenerator, Clock],
          useFactory: (store: EventStore, ids: IdGenerator, clock: Clock) =>
            new DeciderCommandHandler(store, ids, clock, 10),
        },
        PromotionLinksFollower,
        Promoter,
        ...API_USE_CASES,
        { provide: PACKAGES_LOADER, useValue: options.loadPackages ?? null },
        ...HISTORY_PROVIDERS,
        ...webhookProviders(config, options.loadPackages ?? null),
        { provide: EVENT_STREAM_OPTIONS, useValue: options.eventStreams ?? {} },
        {
          provide: EventStreamSlots,
          useFactory: () => new EventStreamSlots(options.eventStreams?.maxStreams ?? DEFAULT_MAX_EVENT_STREAMS),
        },
      ],
    };
  }
}
