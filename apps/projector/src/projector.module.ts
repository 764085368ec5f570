import { Module, type DynamicModule } from '@nestjs/common';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { CoreModule } from '#infrastructure/nest/core.module.js';

/**
 * The projector's composition root: a catch-up subscription on the event store turning events
 * into read models. The projections themselves are registered here as they are written.
 */
@Module({})
export class ProjectorModule {
  static forRoot(config: DlrnConfig): DynamicModule {
    return { module: ProjectorModule, imports: [CoreModule.forRoot(config)] };
  }
}
