import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { EventStore } from '#domain/shared/event-store.port.js';
import { Clock, IdGenerator } from '#domain/shared/ports.js';
import type { DlrnConfig } from '../config/index.js';
import { DeciderCommandHandler } from '../event-store/decider-command-handler.js';
import { openEventStore } from '../event-store/event-store.factory.js';
import { SystemClock } from '../ids/system-clock.js';
import { UuidV7IdGenerator } from '../ids/uuid-v7.id-generator.js';

import { DLRN_CONFIG } from './tokens.js';

/**
 * What every app needs: the parsed configuration, the event store it names, a clock, ids and
 * the decider command handler. Ports are the abstract classes of the domain, used as tokens.
 */
@Module({})
export class CoreModule implements OnApplicationShutdown {
  constructor(@Inject(EventStore) private readonly store: EventStore) {}

  static forRoot(config: DlrnConfig): DynamicModule {
    return {
      module: CoreModule,
      global: true,
      providers: [
        { provide: DLRN_CONFIG, useValue: config },
        { provide: EventStore, useFactory: () => openEventStore(config.service.eventStoreTarget) },
        { provide: Clock, useClass: SystemClock },
        { provide: IdGenerator, useClass: UuidV7IdGenerator },
        {
          provide: DeciderCommandHandler,
          inject: [EventStore, IdGenerator, Clock],
          useFactory: (store: EventStore, ids: IdGenerator, clock: Clock) =>
            new DeciderCommandHandler(store, ids, clock),
        },
      ],
      exports: [DLRN_CONFIG, EventStore, Clock, IdGenerator, DeciderCommandHandler],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
