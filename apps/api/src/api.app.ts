import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { ApiModule } from './api.module.js';

/** Builds the API application (not listening yet), for `dlrn api`, `dlrn serve` and tests. */
export async function createApiApp(config: DlrnConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.forRoot(config),
    new FastifyAdapter({ bodyLimit: 1024 * 1024 }),
    { logger: ['error', 'warn'] },
  );
  app.enableShutdownHooks();
  return app;
}
