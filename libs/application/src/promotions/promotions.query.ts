import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { BuildDoc, PromotionDoc } from '#domain/projections/index.js';
import { DlrnQueries, type PromotionFilters } from '#application/queries/dlrn-queries.js';
import { PromotionRefusedError } from './promotion.errors.js';

/** Which promotions `GET /api/promotions` lists; the commit by its hashes, checked first. */
export interface PromotionSelection extends Omit<PromotionFilters, 'commit'> {
  readonly commit: {
    readonly commitHash: string;
    readonly distroHash: string;
    readonly extendedHash: string | null;
  } | null;
}

/** `GET /api/promotions`: promotions, newest first. */
export class PromotionsQuery extends Query<PromotionDoc[]> {
  constructor(
    readonly selection: PromotionSelection,
    /** A log position to answer at (time travel, `as_of`); null: now. */
    readonly at: number | null = null,
  ) {
    super();
  }
}

@QueryHandler(PromotionsQuery)
export class PromotionsHandler implements IQueryHandler<PromotionsQuery, PromotionDoc[]> {
  constructor(@Inject(DlrnQueries) private readonly queries: DlrnQueries) {}

  async execute({ selection, at }: PromotionsQuery): Promise<PromotionDoc[]> {
    const queries = this.queries.at(at);
    let commit: BuildDoc | null = null;
    if (selection.commit !== null) {
      const { commitHash, distroHash, extendedHash } = selection.commit;
      commit = await queries.successfulCommit(commitHash, distroHash, extendedHash);
      if (commit === null) {
        throw new PromotionRefusedError(
          'PROMOTION_COMMIT_NOT_FOUND',
          'commit_hash+distro_hash+extended_hash combination not found',
        );
      }
    }
    return queries.promotions({ ...selection, commit });
  }
}
