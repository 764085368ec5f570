import { setImmediate as nextTurn } from 'node:timers/promises';
import { Inject, type OnModuleDestroy } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Logger } from 'pino';
import { RemoteImportError } from '#domain/build/remote-import.error.js';
import { EventStore } from '#domain/shared/event-store.port.js';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { API_LOGGER, DLRN_CONFIG, PACKAGES_LOADER, type PackagesLoader } from '#infrastructure/nest/tokens.js';
import { RemoteTargetPolicy } from '#infrastructure/net/remote-target.policy.js';
import { createBuildLoopDeps } from '#application/build-pass/build-loop.factory.js';
import { importDeadline } from './import-deadline.js';
import { parseRepoUrl } from './remote-commit.js';
import { RemoteImporter } from './remote-importer.js';

/**
 * Imports admitted at once (running or waiting for their source): each holds a request, sockets
 * and a staging directory, so write users cannot pile up more than this; past it, refused.
 */
export const MAX_PENDING_IMPORTS = 16;

/** `POST /api/remote/import` (DLRN's `dlrn-remote`): record a build made elsewhere. */
export class ImportRemoteBuildCommand extends Command<{ readonly position: number }> {
  constructor(
    readonly repoUrl: string,
    readonly user: string | null,
  ) {
    super();
  }
}

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
 * Builds made elsewhere are recorded here as if built here. Imports of different sources run
 * concurrently (one slow worker holds up only its own URL); imports of the same source URL run
 * in order. Each is bounded, from the request on, by `[service] remote_import_timeout`, and
 * aborted when the application closes (SIGTERM), its staging directory removed. The package
 * list is read afresh for each import, as DLRN does. Every failure is a RemoteImportError:
 * REMOTE_IMPORT_BUSY when too many are pending or the application is closing.
 */
@CommandHandler(ImportRemoteBuildCommand)
export class ImportRemoteBuildHandler
  implements ICommandHandler<ImportRemoteBuildCommand, { position: number }>, OnModuleDestroy
{
  private readonly policy: RemoteTargetPolicy;
  /** Per source URL, the import that the next one of that source waits for. */
  private readonly bySource = new Map<string, Promise<unknown>>();
  private readonly closing = new AbortController();
  /** Admitted imports, settled when their request has its answer. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    @Inject(DLRN_CONFIG) private readonly config: DlrnConfig,
    @Inject(EventStore) private readonly store: EventStore,
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

  /** Returns the log's head after the import: the views to wait for. */
  async execute({ repoUrl, user }: ImportRemoteBuildCommand): Promise<{ position: number }> {
    const source = parseRepoUrl(repoUrl).href;
    if (this.closing.signal.aborted) throw this.failure(this.closing.signal.reason);
    if (this.inFlight.size >= MAX_PENDING_IMPORTS) {
      throw new RemoteImportError(
        'REMOTE_IMPORT_BUSY',
        `${MAX_PENDING_IMPORTS} imports are already in progress, try again later`,
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
      return await run;
    } catch (error) {
      throw this.failure(error);
    } finally {
      this.inFlight.delete(settled);
      deadline.dispose();
      if (this.bySource.get(source) === settled) this.bySource.delete(source);
    }
  }

  /** Every failure as a RemoteImportError; while closing, any but a refused URL is REMOTE_IMPORT_BUSY. */
  private failure(error: unknown): RemoteImportError {
    const refused = error instanceof RemoteImportError && /^REMOTE_(URL_INVALID|HOST_REFUSED)$/.test(error.code);
    if (refused) return error;
    const message = error instanceof Error ? error.message : String(error);
    if (this.closing.signal.aborted) return new RemoteImportError('REMOTE_IMPORT_BUSY', message, { cause: error });
    if (error instanceof RemoteImportError) return error;
    return new RemoteImportError('REMOTE_IMPORT_FAILED', message, { cause: error });
  }

  private async importNow(
    repoUrl: string,
    user: string | null,
    signal: AbortSignal,
    timeoutMs: number,
  ): Promise<{ position: number }> {
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
      return { position: await this.store.headPosition() };
    } finally {
      await deps.close?.();
    }
  }
}
