import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { PackageInfo } from '#domain/package/package-info.js';
import { EventStore } from '#domain/shared/event-store.port.js';
import { createBuildLoopDeps } from '#infrastructure/build-loop/build-loop.factory.js';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { DLRN_CONFIG } from '#infrastructure/nest/core.module.js';
import { RemoteImportError } from '#infrastructure/remote/remote-import.error.js';
import { RemoteImporter } from '#infrastructure/remote/remote-importer.js';
import { DlrnHttpError } from '../http/dlrn-http.error.js';
import { ViewVersion } from '../views/view-version.js';

/** DI token: loads the package list (from the pkginfo driver) when an import needs it. */
export const PACKAGES_LOADER = Symbol('PACKAGES_LOADER');
export type PackagesLoader = (() => Promise<readonly PackageInfo[]>) | null;

/** DI token of the API's structured (JSON) logger. */
export const API_LOGGER = Symbol('API_LOGGER');

/**
 * `POST /api/remote/import` (DLRN's `dlrn-remote`): builds made elsewhere are recorded here as if
 * built here, one import at a time. The package list is read afresh for each import, as DLRN does.
 */
@Injectable()
export class RemoteImportService {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(DLRN_CONFIG) private readonly config: DlrnConfig,
    @Inject(EventStore) private readonly store: EventStore,
    @Inject(ViewVersion) private readonly views: ViewVersion,
    @Inject(PACKAGES_LOADER) private readonly loadPackages: PackagesLoader,
    @Inject(API_LOGGER) private readonly log: Logger,
  ) {}

  import(repoUrl: string, user: string | null): Promise<void> {
    const run = this.queue.then(() => this.importNow(repoUrl, user));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async importNow(repoUrl: string, user: string | null): Promise<void> {
    const fail = (reason: string) => new DlrnHttpError(500, `Remote import failed with error: ${reason}`);
    if (this.loadPackages === null) {
      throw fail('this API was started without package metadata (start it with --info-repo or a local rdoinfo repo)');
    }
    const packages = await this.loadPackages().catch((error: Error) => {
      throw fail(error.message);
    });
    const deps = createBuildLoopDeps({
      config: this.config,
      packages,
      store: this.store,
      log: (line) => this.log.info({ event: 'remote-import', repoUrl }, line),
    });
    try {
      const result = await new RemoteImporter(deps).import(repoUrl, { actor: user ?? 'anonymous' });
      this.log.info(
        { event: 'remote-import', repoUrl, user, imported: result.imported.length, skipped: result.skipped.length },
        'remote import done',
      );
      await this.views.waitFor(await this.store.headPosition());
    } catch (error) {
      if (error instanceof DlrnHttpError) throw error;
      if (error instanceof RemoteImportError && error.code === 'REMOTE_URL_INVALID') {
        throw new DlrnHttpError(400, error.message);
      }
      throw fail(error instanceof Error ? error.message : String(error));
    } finally {
      await deps.close?.();
    }
  }
}
