import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { promotionNameProblem } from '#domain/promotion/promotion-name.js';
import { promotionStreamId, type RepoPromoted } from '#domain/promotion/promotion.events.js';
import { FLAG_PURGED, type BuildDoc } from '#domain/projections/index.js';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { DLRN_CONFIG } from '#infrastructure/nest/core.module.js';
import { FsRepoPublisher } from '#infrastructure/repo/fs-repo.publisher.js';
import { DlrnHttpError } from '../http/dlrn-http.error.js';
import { DlrnQueries } from '../views/dlrn-queries.js';
import type { PromoteInput } from './dlrn-inputs.js';
import { EventWriter } from './event-writer.js';

interface PlannedPromotion {
  readonly input: PromoteInput;
  readonly commit: BuildDoc;
  /** Folder the link lives in: the repos dir, or `component/<c>` in it with components on. */
  readonly baseDir: string;
  /** Link target relative to `baseDir`. */
  readonly target: string;
}

const hashesOf = (input: PromoteInput): string =>
  `${input.commit_hash}_${input.distro_hash}_${input.extended_hash ?? 'None'}`;

/** `POST /api/promote` and `/api/promote-batch` (§6.3): a symlink on disk, a RepoPromoted event. */
@Injectable()
export class PromotionsService {
  private readonly links = new FsRepoPublisher();

  constructor(
    @Inject(DlrnQueries) private readonly queries: DlrnQueries,
    @Inject(EventWriter) private readonly writer: EventWriter,
    @Inject(DLRN_CONFIG) private readonly config: DlrnConfig,
  ) {}

  get reposDir(): string {
    return join(this.config.default.datadir, 'repos');
  }

  /** Promotes one repo; returns what was recorded. */
  async promote(input: PromoteInput, user: string | null): Promise<RepoPromoted['data']> {
    const [recorded] = await this.promoteAll([input], user, false);
    return recorded!;
  }

  /**
   * Promotes every item or none: all are checked first, links are then moved one by one and put
   * back in reverse order if one fails. Each item is recorded as its own RepoPromoted event.
   */
  async promoteAll(
    inputs: readonly PromoteInput[],
    user: string | null,
    batch = true,
  ): Promise<RepoPromoted['data'][]> {
    const planned: PlannedPromotion[] = [];
    for (const input of inputs) planned.push(await this.plan(input, batch));
    const undo: { plan: PlannedPromotion; previous: string | null }[] = [];
    const recorded: RepoPromoted['data'][] = [];
    try {
      for (const plan of planned) {
        const previous = await this.links.readPointer(plan.baseDir, plan.input.promote_name);
        await this.links.movePointer(plan.baseDir, plan.input.promote_name, plan.target);
        undo.push({ plan, previous });
      }
    } catch (error) {
      for (const { plan, previous } of undo.reverse()) await this.restore(plan, previous);
      const reason = error instanceof Error ? error.message : String(error);
      throw new DlrnHttpError(
        500,
        batch
          ? `Symlink creation failed with error: ${reason}. All previously created symlinks have been rolled back.`
          : `Symlink creation failed with error: ${reason}`,
      );
    }
    const timestamp = this.writer.now();
    for (const [index, { plan, previous }] of undo.entries()) {
      const data: RepoPromoted['data'] = {
        promotionName: plan.input.promote_name,
        commitHash: plan.commit.commitHash,
        distroHash: plan.commit.distroHash,
        extendedHash: plan.commit.extendedHash,
        component: plan.commit.component,
        repoDir: plan.commit.repoDir!,
        previousRepoDir: previous,
        timestamp,
        user,
        aggregateHash: null,
      };
      await this.writer.append<RepoPromoted>(
        promotionStreamId(data.promotionName, this.config.default.useComponents ? data.component : null),
        [{ type: 'RepoPromoted', data }],
        user,
        { wait: index === undo.length - 1 },
      );
      recorded.push(data);
    }
    return recorded;
  }

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
    if (promotionNameProblem(input.promote_name) !== null) {
      throw new DlrnHttpError(403, `Invalid promote_name ${input.promote_name}`);
    }
    const prefix = commit.component ? `component/${commit.component}/` : '';
    if (this.config.default.useComponents && prefix && commit.repoDir.startsWith(prefix)) {
      return {
        input,
        commit,
        baseDir: join(this.reposDir, prefix),
        target: commit.repoDir.slice(prefix.length),
      };
    }
    return { input, commit, baseDir: this.reposDir, target: commit.repoDir };
  }

  private async restore(plan: PlannedPromotion, previous: string | null): Promise<void> {
    if (previous === null) await rm(join(plan.baseDir, plan.input.promote_name), { force: true });
    else await this.links.movePointer(plan.baseDir, plan.input.promote_name, previous);
  }
}
