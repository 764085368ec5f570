import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { PromoteRepo } from '#domain/promotion/promotion.decider.js';
import type { RepoPromoted } from '#domain/promotion/promotion.events.js';
import { EventStore } from '#domain/shared/event-store.port.js';
import { Clock, IdGenerator } from '#domain/shared/ports.js';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { API_LOGGER, DLRN_CONFIG } from '#infrastructure/nest/tokens.js';
import { DlrnQueries } from '#application/queries/dlrn-queries.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { aggregatePublisherFor, type AggregatePublisher } from '#application/aggregate/aggregate-publisher.js';
import { apiContext, epochSeconds } from '#application/shared/recorded.js';
import { PromotionBatchRecorder, type RecordedBatch } from './promotion-batch.recorder.js';
import { PromotionLinksFollower } from './promotion-links.follower.js';
import { planPromotion, type PlannedPromotion, type PromotionRequest } from './promotion-plan.js';
import { PromotionRefusedError } from './promotion.errors.js';

/** What a promotion (or batch) recorded, and whether its links followed. */
export interface PromotionOutcome {
  /** One per item, in the request's order. */
  readonly recorded: readonly RepoPromoted['data'][];
  /** Global position of the last event recorded: the views to wait for. */
  readonly position: number;
  /** Recorded, but a link did not follow (retried in the background); null when all did. */
  readonly linkError: PromotionRefusedError | null;
}

/**
 * `POST /api/promote` and `/api/promote-batch` (§6.3). The log decides, links follow: every item
 * is checked first, then the items are decided against their names' streams and recorded in one
 * atomic append (promotions of one name serialize across API replicas; a batch is all or
 * nothing), and only then do links move, to what the log's newest event of each name says.
 */
@Injectable()
export class Promoter {
  private readonly recorder: PromotionBatchRecorder;
  /** Null without components. */
  private readonly aggregates: AggregatePublisher | null;

  constructor(
    @Inject(DlrnQueries) private readonly queries: DlrnQueries,
    @Inject(DLRN_CONFIG) private readonly config: DlrnConfig,
    @Inject(EventStore) store: EventStore,
    @Inject(IdGenerator) private readonly ids: IdGenerator,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(PromotionLinksFollower) private readonly follower: PromotionLinksFollower,
    @Inject(API_LOGGER) private readonly log: Logger,
  ) {
    this.recorder = new PromotionBatchRecorder(store, ids, clock);
    this.aggregates = aggregatePublisherFor({
      commands: new DeciderCommandHandler(store, ids, clock),
      datadir: config.default.datadir,
      useComponents: config.default.useComponents,
      reponame: config.default.reponame,
      packageComponents: null,
    });
  }

  async promote(requests: readonly PromotionRequest[], user: string | null, batch: boolean): Promise<PromotionOutcome> {
    const context = {
      queries: this.queries,
      links: this.follower.links,
      reposDir: this.follower.reposDir,
      useComponents: this.config.default.useComponents,
    };
    const planned: PlannedPromotion[] = [];
    for (const request of requests) planned.push(await planPromotion(context, request, batch));
    const timestamp = epochSeconds(this.clock);
    const aggregate = await this.planAggregate(planned);
    const items = planned.map(({ request, commit, streamId }, index) => {
      const command: PromoteRepo = {
        type: 'PromoteRepo',
        data: {
          promotionName: request.promoteName,
          commitHash: commit.commitHash,
          distroHash: commit.distroHash,
          extendedHash: commit.extendedHash,
          component: commit.component,
          repoDir: commit.repoDir,
          timestamp,
          user,
          // DLRN aggregates once, for the last item's name, and only its row carries the hash.
          aggregateHash: index === planned.length - 1 ? (aggregate?.aggregateHash ?? null) : null,
        },
      };
      return { streamId, command };
    });
    let recorded: RecordedBatch;
    const eventContext = apiContext(this.ids, user);
    try {
      recorded = await this.recorder.record(items, eventContext);
    } catch (error) {
      this.log.error({ err: error, streams: items.map((i) => i.streamId) }, 'promotion not recorded');
      throw PromotionRefusedError.notRecorded(error, batch ? requests[0]!.promoteName : null);
    }
    // Links first, views after (the caller waits for them): the disk should not lag the log
    // while the views catch up.
    const failures = await this.follower.follow(recorded.streamIds);
    if (aggregate !== null) await this.publishAggregate(aggregate, eventContext, failures);
    const linkError =
      failures.length === 0
        ? null
        : new PromotionRefusedError(
            'PROMOTION_LINK_LAGGING',
            `Symlink creation failed with error: ${failures.join('; ')}. The promotion${batch ? 's are' : ' is'} recorded; the link will be retried.`,
          );
    return { recorded: recorded.events.map((event) => event.data), position: recorded.position, linkError };
  }

  /**
   * Components on: the aggregate of the last item's name as it is once the links point where
   * this request says (DLRN's `aggregate_repo_files` after the symlinks). Null: nothing to
   * aggregate (components off, or no `.repo` file in any component's repository of that name).
   */
  private async planAggregate(planned: readonly PlannedPromotion[]): Promise<PlannedAggregate | null> {
    const last = planned[planned.length - 1];
    if (this.aggregates === null || last === undefined) return null;
    const name = last.request.promoteName;
    const overrides = new Map<string, string>();
    for (const { request, commit } of planned) {
      if (request.promoteName === name && commit.component !== null) overrides.set(commit.component, commit.repoDir);
    }
    const { aggregateHash, texts } = await this.aggregates.compute(name, overrides);
    return texts.members.length === 0 ? null : { name, overrides, aggregateHash };
  }

  /** Records and writes the aggregate the promotion carries; a failure is logged, the promotion stands. */
  private async publishAggregate(
    aggregate: PlannedAggregate,
    context: ReturnType<typeof apiContext>,
    linkFailures: readonly string[],
  ): Promise<void> {
    try {
      const published = await this.aggregates!.publish(aggregate.name, context, aggregate.overrides);
      if (published !== aggregate.aggregateHash && linkFailures.length === 0) {
        this.log.warn(
          { name: aggregate.name, published, recorded: aggregate.aggregateHash },
          'aggregate changed meanwhile',
        );
      }
    } catch (error) {
      this.log.error({ err: error, name: aggregate.name }, 'aggregated repository not written');
    }
  }
}

interface PlannedAggregate {
  readonly name: string;
  readonly overrides: ReadonlyMap<string, string>;
  readonly aggregateHash: string;
}
