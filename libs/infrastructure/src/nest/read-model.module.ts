import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { ReadModelStore } from '#domain/projections/projection.js';
import type { DlrnConfig } from '../config/index.js';
import { openReadModelStore } from '../read-model/kysely-read-model.store.js';

/** The read-model store the configuration names, for the apps that query projections. */
@Module({})
export class ReadModelModule implements OnApplicationShutdown {
  constructor(@Inject(ReadModelStore) private readonly store: ReadModelStore) {}

  static forRoot(config: DlrnConfig): DynamicModule {
    return {
      module: ReadModelModule,
      global: true,
      providers: [
        { provide: ReadModelStore, useFactory: () => openReadModelStore(config.service.readModelStoreTarget) },
      ],
      exports: [ReadModelStore],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
