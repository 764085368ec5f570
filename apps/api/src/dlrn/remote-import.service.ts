import { setImmediate as nextTurn } from 'node:timers/promises';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { EventStore } from '#domain/shared/event-store.port.js';
import { createBuildLoopDeps } from '#application/build-pass/build-loop.factory.js';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { API_LOGGER, DLRN_CONFIG, PACKAGES_LOADER, type PackagesLoader } from '#infrastructure/nest/tokens.js';
import { importDeadline } from '#application/remote-import/import-deadline.js';
import { parseRepoUrl } from '#application/remote-import/remote-commit.js';
import { RemoteImportError } from '#domain/build/remote-import.error.js';
import { RemoteImporter } from '#application/remote-import/remote-importer.js';
import { RemoteTargetPolicy } from '#infrastructure/net/remote-target.policy.js';
import { DlrnHttpError } from '../http/dlrn-http.error.js';
import { ViewVersion } from '../views/view-version.js';

/**
 * Imports admitted at once (running or waiting for their source): each holds a request, sockets
 * and a staging directory, so write users cannot pile up more than this; past it, 503.
 */
export const MAX_PENDING_IMPORTS = 16;

/** Waits for `previous` to settle, or rejects as soon as `signal` aborts (deadline, shutdown). */
function turn(previous: Promise<unknown>, signal: AbortSignal): Promise<void> {
  return new Promise((done, fail) => {
    if (signal.aborted) return fail(signal.reason);
    const onAbort = () => fail(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    void previous.finally(() => {
      signal.removeEventListener('abort', onAbort);
      done();
    });
  });
}

/**
 * `POST /api/remote/import` (DLRN's `dlrn-remote`): builds made elsewhere are recorded here as if
 * built here. Imports of different sources run concurrently (one slow worker holds up only its
 * own URL); imports of the same source URL run in order. Each is bounded, from the request on,
 * by `[service] remote_import_timeout`, and aborted when the application closes (SIGTERM), its
 * staging directory removed. The package list is read afresh for each import, as DLRN does.
 */
@Injectable()
export class RemoteImportService implements OnModuleDestroy {
  private readonly policy: RemoteTargetPolicy;
  /** Per source URL, the import that the next one of that source waits for. */
  private readonly bySource = new Map<string, Promise<unknown>>();
  private readonly closing = new AbortController();
  /** Admitted imports, settled when their request has its answer. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    @Inject(DLRN_CONFIG) private readonly config: DlrnConfig,
    @Inject(EventStore) private readonly store: EventStore,
    @Inject(ViewVersion) private readonly views: ViewVersion,
    @Inject(PACKAGES_LOADER) private readonly loadPackages: PackagesLoader,
    @Inject(API_LOGGER) private readonly log: Logger,
  ) {
    this.policy = RemoteTargetPolicy.fromConfig(config.service.remoteImportAllowedHosts);
  }

  /**
   * Application close (SIGTERM): aborts every import (downloads stop, staging directories go),
   * then waits for their answers to be sent. Nest closes the HTTP server only after this hook;
   * by then those connections are idle and are closed with it, rather than keeping a stopping
   * process alive until the client's keep-alive ends.
   */
  async onModuleDestroy(): Promise<void> {
    this.closing.abort(new RemoteImportError('REMOTE_IMPORT_FAILED', 'the server is shutting down'));
    await Promise.allSettled(this.inFlight);
    await nextTurn();
  }

  async import(repoUrl: string, user: string | null): Promise<void> {
    let source: string;
    try {
      source = parseRepoUrl(repoUrl).href;
    } catch (error) {
      throw this.httpError(error);
    }
    if (this.closing.signal.aborted) throw this.httpError(this.closing.signal.reason);
    if (this.inFlight.size >= MAX_PENDING_IMPORTS) {
      throw new DlrnHttpError(
        503,
        `Remote import failed with error: ${MAX_PENDING_IMPORTS} imports are already in progress, try again later`,
      );
    }
    const timeoutMs = this.config.service.remoteImportTimeout * 1000;
    const deadline = importDeadline(timeoutMs, this.closing.signal);
    const previous = this.bySource.get(source) ?? Promise.resolve();
    const run = turn(previous, deadline.signal).then(() => this.importNow(repoUrl, user, deadline.signal, timeoutMs));
    // The next import of this source waits for this one and for everything before it, even
    // when this one gave up waiting (its deadline passed while queued).
    const settled = Promise.allSettled([previous, run]);
    this.bySource.set(source, settled);
    this.inFlight.add(settled);
    try {
      await run;
    } catch (error) {
      throw this.httpError(error);
    } finally {
      this.inFlight.delete(settled);
      deadline.dispose();
      if (this.bySource.get(source) === settled) this.bySource.delete(source);
    }
  }

  /** DLRN's answers: 400 for a URL or host refused, 500 `Remote import failed with error: …`; 503 when closing. */
  private httpError(error: unknown): DlrnHttpError {
    if (error instanceof DlrnHttpError) return error;
    if (
      error instanceof RemoteImportError &&
      (error.code === 'REMOTE_URL_INVALID' || error.code === 'REMOTE_HOST_REFUSED')
    ) {
      return new DlrnHttpError(400, error.message);
    }
    const message = `Remote import failed with error: ${error instanceof Error ? error.message : String(error)}`;
    return new DlrnHttpError(this.closing.signal.aborted ? 503 : 500, message);
  }

  private async importNow(repoUrl: string, user: string | null, signal: AbortSignal, timeoutMs: number): Promise<void> {
    if (this.loadPackages === null) {
      throw new Error(
        'this API was started without package metadata (start it with --info-repo or a local rdoinfo repo)',
      );
    }
    const packages = await this.loadPackages();
    const deps = createBuildLoopDeps({
      config: this.config,
      packages,
      store: this.store,
      log: (line) => this.log.info({ event: 'remote-import', repoUrl }, line),
    });
    try {
      const result = await new RemoteImporter(deps, { policy: this.policy }).import(repoUrl, {
        actor: user ?? 'anonymous',
        signal,
        timeoutMs,
      });
      this.log.info(
        { event: 'remote-import', repoUrl, user, imported: result.imported.length, skipped: result.skipped.length },
        'remote import done',
      );
      await this.views.waitFor(await this.store.headPosition());
    } finally {
      await deps.close?.();
    }
  }
}
