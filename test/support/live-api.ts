import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApiApp } from '../../apps/api/src/api.app.js';
import type { ApiOptions } from '../../apps/api/src/api.module.js';
import { ALL_PROJECTIONS, type ReadModelStore } from '#domain/projections/index.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { openEventStore } from '#infrastructure/event-store/event-store.factory.js';
import { openReadModelStore } from '#infrastructure/read-model/kysely-read-model.store.js';
import { ProjectionEngine } from '#application/projector/projection-engine.js';
import { engineCaughtUp } from './projector-wait.js';

/** The API over a configuration's stores, listening on 127.0.0.1, with a projection engine beside it. */
export interface LiveApi {
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  readonly app: NestFastifyApplication;
  readonly events: EventStore;
  readonly views: ReadModelStore;
  readonly engine: ProjectionEngine;
  /** True once the engine has projected `position` (default: the log's head), false after `timeoutMs`. */
  caughtUp(timeoutMs?: number, position?: number): Promise<boolean>;
  /** Closes the API, stops the engine, closes the stores. */
  close(): Promise<void>;
}

/**
 * Opens the event store and the views `config` names, starts a projection engine running beside
 * them, waits until it has projected the log's head (throws after `catchUpMs`), then starts the
 * API with `apiOptions` on a free port of 127.0.0.1. If a step fails, what was opened is closed.
 */
export async function startLiveApi(config: DlrnConfig, apiOptions: ApiOptions, catchUpMs = 10_000): Promise<LiveApi> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) await closer();
  };
  try {
    const events = await openEventStore(config.service.eventStoreTarget);
    closers.push(() => events.close());
    const views = await openReadModelStore(config.service.readModelStoreTarget);
    closers.push(() => views.close());
    const engine = new ProjectionEngine(events, views, ALL_PROJECTIONS);
    await engine.start();
    closers.push(() => engine.stop());
    const stop = new AbortController();
    const projecting = engine.run({ signal: stop.signal });
    closers.push(async () => {
      stop.abort();
      await projecting;
    });
    const caughtUp = async (timeoutMs = 10_000, position?: number) =>
      engineCaughtUp(engine, position ?? (await events.headPosition()), timeoutMs);
    if (!(await caughtUp(catchUpMs))) {
      throw new Error(`the projection engine did not reach the log's head within ${catchUpMs} ms`);
    }
    const app = await createApiApp(config, apiOptions);
    closers.push(() => app.close());
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    return { base, app, events, views, engine, caughtUp, close };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}
