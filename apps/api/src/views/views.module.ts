import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { ReadModelStore } from '#domain/projections/index.js';
import { TimeTravel } from './as-of.js';
import { HotAnswers } from './hot-answers.js';
import { ViewVersion } from './view-version.js';

/** The views' position and the answer caches, shared by every controller of the API. */
@Module({})
export class ViewsModule implements OnApplicationShutdown {
  constructor(@Inject(ViewVersion) private readonly views: ViewVersion) {}

  static forRoot(options: { readonly pollMs?: number } = {}): DynamicModule {
    return {
      module: ViewsModule,
      global: true,
      providers: [
        {
          provide: ViewVersion,
          inject: [ReadModelStore],
          useFactory: async (store: ReadModelStore) => {
            const views = new ViewVersion(store, { pollMs: options.pollMs ?? 50 });
            await views.start();
            return views;
          },
        },
        { provide: HotAnswers, inject: [ViewVersion], useFactory: (views: ViewVersion) => new HotAnswers(views) },
        TimeTravel,
      ],
      exports: [ViewVersion, HotAnswers, TimeTravel],
    };
  }

  onApplicationShutdown(): void {
    this.views.stop();
  }
}
