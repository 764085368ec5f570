import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { placePromotionLink } from '#domain/promotion/promotion-link.js';
import { promotionNameProblem } from '#domain/promotion/promotion-name.js';
import { InvalidPromotionNameError } from '#domain/promotion/promotion.decider.js';
import { promotionStreamId } from '#domain/promotion/promotion.events.js';
import { FLAG_PURGED, type BuildDoc } from '#domain/projections/index.js';
import type { FsRepoPublisher } from '#infrastructure/repo/fs-repo.publisher.js';
import type { DlrnQueries } from '#application/queries/dlrn-queries.js';
import { PromotionRefusedError, ROLLED_BACK } from './promotion.errors.js';

/** One promotion as a client asks for it (`POST /api/promote`, one item of a batch). */
export interface PromotionRequest {
  readonly commitHash: string;
  readonly distroHash: string;
  readonly extendedHash: string | null;
  readonly promoteName: string;
}

/** A request checked against the views and the disk: what to record, in which name's stream. */
export interface PlannedPromotion {
  readonly request: PromotionRequest;
  readonly commit: BuildDoc & { readonly repoDir: string };
  readonly streamId: string;
}

export interface PlanContext {
  readonly queries: DlrnQueries;
  readonly links: FsRepoPublisher;
  readonly reposDir: string;
  readonly useComponents: boolean;
}

const hashesOf = (request: PromotionRequest): string =>
  `${request.commitHash}_${request.distroHash}_${request.extendedHash ?? 'None'}`;

/**
 * DLRN's checks (§6.3), all before anything is recorded; answers never name server paths. In a
 * batch the answers name the item, and a link that cannot be made says the batch rolled back.
 */
export async function planPromotion(
  context: PlanContext,
  request: PromotionRequest,
  batch: boolean,
): Promise<PlannedPromotion> {
  const commit = await context.queries.successfulCommit(request.commitHash, request.distroHash, request.extendedHash);
  if (commit === null || commit.repoDir === null) {
    throw new PromotionRefusedError(
      'PROMOTION_COMMIT_NOT_FOUND',
      `commit_hash+distro_hash+extended_hash combination not found${batch ? ` for ${hashesOf(request)}` : ''}`,
    );
  }
  if (commit.flags & FLAG_PURGED) {
    throw new PromotionRefusedError(
      'PROMOTION_PURGED',
      `commit_hash+distro_hash+extended_hash${batch ? ` ${hashesOf(request)}` : ''} has been purged, cannot promote it`,
    );
  }
  const name = request.promoteName;
  if (promotionNameProblem(name) !== null) throw new InvalidPromotionNameError(name);
  const repoDir = commit.repoDir;
  const link = placePromotionLink(
    { name, component: commit.component, placedBy: repoDir },
    repoDir,
    context.useComponents,
  );
  const impossible = (reason: string) =>
    new PromotionRefusedError(
      'PROMOTION_LINK_IMPOSSIBLE',
      `Symlink creation failed with error: ${reason}${batch ? `. ${ROLLED_BACK}` : ''}`,
    );
  // A hash shard (`5f`), `skiplist.txt`, a report: never replaced by a link. DLRN deleted a
  // file there and failed on a directory with a 500 naming the server path.
  if ((await context.links.pointerSlot(join(context.reposDir, link.dir), name)) === 'occupied') {
    if (batch) throw impossible(`${name} is a file or directory of the repos directory, not a promotion link`);
    throw new PromotionRefusedError(
      'PROMOTION_NAME_TAKEN',
      `Invalid promote_name ${name}: a file or directory of that name exists`,
    );
  }
  const found = await stat(join(context.reposDir, repoDir)).catch(() => null);
  if (!found?.isDirectory()) throw impossible(`the repository ${repoDir} is missing on disk`);
  return {
    request,
    commit: { ...commit, repoDir },
    streamId: promotionStreamId(name, context.useComponents ? commit.component : null),
  };
}
