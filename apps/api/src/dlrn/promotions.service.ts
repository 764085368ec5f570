import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { upcast } from '#domain/catalogue.js';
import { placePromotionLink } from '#domain/promotion/promotion-link.js';
import { promotionNameProblem } from '#domain/promotion/promotion-name.js';
import { promotionDecider, type PromotionCommand } from '#domain/promotion/promotion.decider.js';
import { promotionStreamId, type PromotionEvent, type RepoPromoted } from '#domain/promotion/promotion.events.js';
import { FLAG_PURGED, type BuildDoc } from '#domain/projections/index.js';
import { StorageError } from '#domain/shared/errors.js';
import { EventStore } from '#domain/shared/event-store.port.js';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { DLRN_CONFIG } from '#infrastructure/nest/tokens.js';
import { PromotionLinksReconciler } from '#application/promotions/promotion-links.reconciler.js';
import { FsRepoPublisher } from '#infrastructure/repo/fs-repo.publisher.js';
import { DlrnHttpError } from '../http/dlrn-http.error.js';
import { DlrnQueries } from '#application/queries/dlrn-queries.js';
import type { PromoteInput } from './dlrn-inputs.js';
import { EventWriter } from './event-writer.js';
import { API_LOGGER } from '#infrastructure/nest/tokens.js';

interface PlannedPromotion {
  readonly input: PromoteInput;
  readonly commit: BuildDoc;
  readonly streamId: string;
}

interface Recorded {
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
  readonly event: RepoPromoted;
}

const ROLLED_BACK = 'All previously created symlinks have been rolled back.';
/** Retries of a link the log moved but the disk refused, after a failed move (ms). */
const RETRY_DELAYS_MS = [1_000, 10_000, 60_000];

const hashesOf = (input: PromoteInput): string =>
  `${input.commit_hash}_${input.distro_hash}_${input.extended_hash ?? 'None'}`;

/**
 * `POST /api/promote` and `/api/promote-batch` (§6.3). The log decides, links follow: every item
 * is checked first, then each promotion is appended to its name's stream with the revision it
 * was decided on (promotions of one name serialize across API replicas), and only then do links
 * move, to what the log's newest event of each name says.
 *
 * A batch is all or nothing in the log: if an append fails midway, the items already recorded
 * are undone by PromotionRolledBack events (compensation; the store has no multi-stream append),
 * and no link has moved yet. DLRN's "rolled back" answer stays.
 */
@Injectable()
export class PromotionsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly links = new FsRepoPublisher();
  private readonly reconciler: PromotionLinksReconciler;
  private readonly retries = new Set<NodeJS.Timeout>();

  constructor(
    @Inject(DlrnQueries) private readonly queries: DlrnQueries,
    @Inject(EventWriter) private readonly writer: EventWriter,
    @Inject(DLRN_CONFIG) private readonly config: DlrnConfig,
    @Inject(EventStore) private readonly store: EventStore,
    @Inject(API_LOGGER) private readonly log: Logger,
  ) {
    this.reconciler = new PromotionLinksReconciler(store, this.reposDir, config.default.useComponents, this.links);
  }

  get reposDir(): string {
    return join(this.config.default.datadir, 'repos');
  }

  /** At start, before serving: links left by a crash or another tool go back where the log says. */
  async onApplicationBootstrap(): Promise<void> {
    try {
      const report = await this.reconciler.reconcileAll();
      for (const { streamId, error } of report.failed)
        this.log.warn({ err: error, streamId }, 'promotion link left as is');
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
  }

  /** Promotes one repo; returns what was recorded. */
  async promote(input: PromoteInput, user: string | null): Promise<RepoPromoted['data']> {
    const [recorded] = await this.promoteAll([input], user, false);
    return recorded!;
  }

  /** Promotes every item or none (see the class comment); returns what was recorded. */
  async promoteAll(
    inputs: readonly PromoteInput[],
    user: string | null,
    batch = true,
  ): Promise<RepoPromoted['data'][]> {
    const planned: PlannedPromotion[] = [];
    for (const input of inputs) planned.push(await this.plan(input, batch));
    const recorded = await this.record(planned, user, batch);
    // Links first, views after: the disk should not lag the log while the views catch up.
    try {
      await this.followLinks(recorded, batch);
    } finally {
      await this.writer.waitForViews(Math.max(...recorded.map((r) => r.position)));
    }
    return recorded.map((r) => r.event.data);
  }

  private async record(planned: readonly PlannedPromotion[], user: string | null, batch: boolean): Promise<Recorded[]> {
    const recorded: Recorded[] = [];
    const timestamp = this.writer.now();
    for (const { input, commit, streamId } of planned) {
      const command: PromotionCommand = {
        type: 'PromoteRepo',
        data: {
          promotionName: input.promote_name,
          commitHash: commit.commitHash,
          distroHash: commit.distroHash,
          extendedHash: commit.extendedHash,
          component: commit.component,
          repoDir: commit.repoDir!,
          timestamp,
          user,
          aggregateHash: null,
        },
      };
      try {
        const { events, append } = await this.writer.decide(streamId, promotionDecider, command, user, { wait: false });
        recorded.push({
          streamId,
          revision: append!.nextExpectedRevision,
          position: append!.position,
          event: events[0] as RepoPromoted,
        });
      } catch (error) {
        this.log.error({ err: error, streamId }, 'promotion not recorded');
        const undone = await this.rollBack(recorded, user);
        // As every write the store refuses: 507 when out of space, 503 otherwise; no internals.
        const full = error instanceof StorageError && error.failure === 'full';
        const why =
          error instanceof StorageError
            ? error.message.replace(/; nothing was recorded$/, '')
            : 'the event store refused the write';
        throw new DlrnHttpError(
          full ? 507 : 503,
          batch
            ? `Promotion of ${input.promote_name} not recorded: ${why}. ${undone ? ROLLED_BACK : 'Earlier items of the batch are recorded and could not be undone.'}`
            : `Promotion not recorded: ${why}. No link was moved.`,
          { 'retry-after': '60' },
        );
      }
    }
    return recorded;
  }

  /** Undoes the batch's recorded items, newest first, one event per name. True when all undone. */
  private async rollBack(recorded: readonly Recorded[], user: string | null): Promise<boolean> {
    let undone = true;
    const streams = [...new Set(recorded.map((r) => r.streamId))].reverse();
    for (const streamId of streams) {
      const mine = recorded.filter((r) => r.streamId === streamId);
      const ours = new Set(mine.map((r) => r.revision));
      // Restore what was in force before the run of our own promotions that ends the stream.
      let before = mine[mine.length - 1]!.revision - 1;
      while (ours.has(before)) before -= 1;
      try {
        const command: PromotionCommand = {
          type: 'RollBackPromotion',
          data: {
            revision: mine[mine.length - 1]!.revision,
            promotionEventIds: mine.map((r) => r.event.metadata.eventId),
            restored: await this.inForceAt(streamId, before),
            timestamp: this.writer.now(),
            user,
          },
        };
        await this.writer.decide(streamId, promotionDecider, command, user);
      } catch (error) {
        undone = false;
        // The log keeps the promotion; links follow it (now, or at the next start).
        this.log.error({ err: error, streamId }, 'batch promotion could not be rolled back');
      }
    }
    return undone;
  }

  /** The promotion in force after a stream's event at `revision` (-1: before the first). */
  private async inForceAt(streamId: string, revision: number): Promise<RepoPromoted['data'] | null> {
    if (revision < 0) return null;
    const [stored] = await this.store.readStream(streamId, { fromRevision: revision, maxCount: 1 });
    const event = stored === undefined ? undefined : (upcast(stored) as unknown as PromotionEvent);
    if (event === undefined) return null;
    return event.type === 'RepoPromoted' ? event.data : event.data.restored;
  }

  /** Links follow the log; a move the disk refuses is retried in the background. */
  private async followLinks(recorded: readonly Recorded[], batch: boolean): Promise<void> {
    const failures: string[] = [];
    for (const streamId of new Set(recorded.map((r) => r.streamId))) {
      try {
        await this.reconciler.follow(streamId);
      } catch (error) {
        this.log.error({ err: error, streamId }, 'promotion link could not follow the log');
        failures.push(reasonOf(error));
        this.retryLater(streamId, 0);
      }
    }
    if (failures.length > 0) {
      throw new DlrnHttpError(
        500,
        `Symlink creation failed with error: ${failures.join('; ')}. The promotion${batch ? 's are' : ' is'} recorded; the link will be retried.`,
      );
    }
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

  /** DLRN's checks (§6.3), all before anything is recorded; answers never name server paths. */
  private async plan(input: PromoteInput, batch: boolean): Promise<PlannedPromotion> {
    const commit = await this.queries.successfulCommit(input.commit_hash!, input.distro_hash!, input.extended_hash);
    const hashes = batch ? ` ${hashesOf(input)}` : '';
    if (commit === null || commit.repoDir === null) {
      throw new DlrnHttpError(
        400,
        batch
          ? `commit_hash+distro_hash+extended_hash combination not found for ${hashesOf(input)}`
          : 'commit_hash+distro_hash+extended_hash combination not found',
      );
    }
    if (commit.flags & FLAG_PURGED) {
      throw new DlrnHttpError(410, `commit_hash+distro_hash+extended_hash${hashes} has been purged, cannot promote it`);
    }
    const name = input.promote_name;
    if (promotionNameProblem(name) !== null) throw new DlrnHttpError(403, `Invalid promote_name ${name}`);
    const useComponents = this.config.default.useComponents;
    const link = placePromotionLink(
      { name, component: commit.component, placedBy: commit.repoDir },
      commit.repoDir,
      useComponents,
    );
    const baseDir = join(this.reposDir, link.dir);
    const failed = (reason: string) =>
      new DlrnHttpError(500, `Symlink creation failed with error: ${reason}${batch ? `. ${ROLLED_BACK}` : ''}`);
    // A hash shard (`5f`), `skiplist.txt`, a report: never replaced by a link. DLRN deleted a
    // file there and failed on a directory with a 500 naming the server path.
    if ((await this.links.pointerSlot(baseDir, name)) === 'occupied') {
      if (batch) throw failed(`${name} is a file or directory of the repos directory, not a promotion link`);
      throw new DlrnHttpError(403, `Invalid promote_name ${name}: a file or directory of that name exists`);
    }
    const found = await stat(join(this.reposDir, commit.repoDir)).catch(() => null);
    if (!found?.isDirectory()) throw failed(`the repository ${commit.repoDir} is missing on disk`);
    return { input, commit, streamId: promotionStreamId(name, useComponents ? commit.component : null) };
  }
}

/** What to tell a client about a failed link move: the error code, never a path. */
function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'the link could not be moved';
}
