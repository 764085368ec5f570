import { Module, type DynamicModule } from '@nestjs/common';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { CoreModule } from '#infrastructure/nest/core.module.js';

/**
 * The builder's composition root: DLRN's build loop (refresh git, discover, claim, build,
 * publish, notify) running continuously. Its services are registered here as they are written.
 */
@Module({})
export class BuilderModule {
  static forRoot(config: DlrnConfig): DynamicModule {
    return { module: BuilderModule, imports: [CoreModule.forRoot(config)] };
  }
}
