import { join } from 'node:path';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { EventStore } from '#domain/shared/event-store.port.js';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { API_LOGGER, DLRN_CONFIG } from '#infrastructure/nest/tokens.js';
import { FsRepoPublisher } from '#infrastructure/repo/fs-repo.publisher.js';
import { restoreAggregateFiles } from '../aggregate/aggregate-retention.js';
import { PromotionLinksReconciler } from './promotion-links.reconciler.js';

/** Retries of a link the log moved but the disk refused, after a failed move (ms). */
const RETRY_DELAYS_MS = [1_000, 10_000, 60_000];

/**
 * Promotion links follow the log: after an append (`follow`), at start-up (every name), and, for
 * a move the disk refused, again in the background a few times; the next start does the rest.
 * One per process, so moves of one link made here queue behind each other.
 */
@Injectable()
export class PromotionLinksFollower implements OnApplicationBootstrap, OnModuleDestroy {
  readonly links = new FsRepoPublisher();
  readonly reposDir: string;
  private readonly reconciler: PromotionLinksReconciler;
  private readonly retries = new Set<NodeJS.Timeout>();

  constructor(
    @Inject(EventStore) private readonly store: EventStore,
    @Inject(DLRN_CONFIG) private readonly config: DlrnConfig,
    @Inject(API_LOGGER) private readonly log: Logger,
  ) {
    this.reposDir = join(config.default.datadir, 'repos');
    this.reconciler = new PromotionLinksReconciler(store, this.reposDir, config.default.useComponents, this.links);
  }

  /** At start, before serving: links left by a crash or another tool go back where the log says. */
  async onApplicationBootstrap(): Promise<void> {
    try {
      const report = await this.reconciler.reconcileAll();
      for (const { streamId, error } of report.failed) {
        this.log.warn({ err: error, streamId }, 'promotion link left as is');
      }
      if (report.fixed > 0 || report.failed.length > 0) {
        this.log.info(
          { names: report.names, fixed: report.fixed, failed: report.failed.length },
          'promotion links reconciled',
        );
      }
    } catch (error) {
      // The API still answers reads; the next start (or promotion of a name) tries again.
      this.log.error({ err: error }, 'promotion links could not be reconciled');
    }
    if (this.config.default.useComponents) await this.restoreAggregates();
  }

  /** Components: each name's aggregate files back to the log's last word (after a crash). */
  private async restoreAggregates(): Promise<void> {
    try {
      const { restored, mismatched } = await restoreAggregateFiles(
        this.store,
        this.reposDir,
        this.config.default.reponame ?? 'delorean',
      );
      if (restored.length > 0) this.log.info({ names: restored }, 'aggregate files restored');
      if (mismatched.length > 0) {
        this.log.warn({ names: mismatched }, 'aggregate files left as is: their repositories changed on disk');
      }
    } catch (error) {
      this.log.error({ err: error }, 'aggregate files could not be restored');
    }
  }

  /**
   * Moves the links of these names to where the log says; returns why each failed move failed
   * (an error code, never a path). Failed moves are retried in the background.
   */
  async follow(streamIds: readonly string[]): Promise<string[]> {
    const failures: string[] = [];
    for (const streamId of streamIds) {
      try {
        await this.reconciler.follow(streamId);
      } catch (error) {
        this.log.error({ err: error, streamId }, 'promotion link could not follow the log');
        failures.push(reasonOf(error));
        this.retryLater(streamId, 0);
      }
    }
    return failures;
  }

  /** Link moves still to retry are dropped with the app: the reconciler at the next start does them. */
  onModuleDestroy(): void {
    for (const timer of this.retries) clearTimeout(timer);
    this.retries.clear();
  }

  private retryLater(streamId: string, attempt: number): void {
    const delay = RETRY_DELAYS_MS[attempt];
    if (delay === undefined) return;
    const timer = setTimeout(() => {
      this.retries.delete(timer);
      this.reconciler.follow(streamId).catch((error: unknown) => {
        this.log.warn({ err: error, streamId, attempt: attempt + 1 }, 'promotion link still not following the log');
        this.retryLater(streamId, attempt + 1);
      });
    }, delay).unref();
    this.retries.add(timer);
  }
}

/** What to tell a client about a failed link move: the error code, never a path. */
function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'the link could not be moved';
}
