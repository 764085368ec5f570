import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { CoreModule } from '#infrastructure/nest/core.module.js';
import { HealthHttpController } from './health/health.http.controller.js';

/** The HTTP API's composition root: DLRN-compatible endpoints over the event store and views. */
@Module({})
export class ApiModule {
  static forRoot(config: DlrnConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [CoreModule.forRoot(config), CqrsModule.forRoot()],
      controllers: [HealthHttpController],
    };
  }
}
