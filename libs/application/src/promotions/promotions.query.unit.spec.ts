import { describe, expect, it } from 'vitest';
import type { BuildDoc } from '#domain/projections/index.js';
import type { DlrnQueries, PromotionFilters } from '#application/queries/dlrn-queries.js';
import { PromotionsHandler, PromotionsQuery, type PromotionSelection } from './promotions.query.js';

const KNOWN = { commitHash: 'aaaa', distroHash: 'd1', extendedHash: null } as unknown as BuildDoc;

/** The views as the handler sees them: one known commit; what it asks for is kept. */
function views() {
  const asked: { at: (number | null)[]; filters: PromotionFilters[] } = { at: [], filters: [] };
  const queries = {
    at(position: number | null) {
      asked.at.push(position);
      return queries;
    },
    successfulCommit: async (commitHash: string) => (commitHash === 'aaaa' ? KNOWN : null),
    promotions: async (filters: PromotionFilters) => {
      asked.filters.push(filters);
      return [];
    },
  };
  return { handler: new PromotionsHandler(queries as unknown as DlrnQueries), asked };
}

const selection = (commit: PromotionSelection['commit']): PromotionSelection => ({
  commit,
  promoteName: null,
  aggregateHash: null,
  component: null,
  offset: null,
  limit: null,
});

describe('GET /api/promotions (the query)', () => {
  it('lists the promotions of a known commit, at the log position asked for', async () => {
    const { handler, asked } = views();
    await handler.execute(
      new PromotionsQuery(selection({ commitHash: 'aaaa', distroHash: 'd1', extendedHash: null }), 42),
    );
    expect(asked.at).toEqual([42]);
    expect(asked.filters[0]?.commit).toBe(KNOWN);
  });

  it('refuses a commit no successful build has, as DLRN does, and lists nothing', async () => {
    const { handler, asked } = views();
    const answer = handler.execute(
      new PromotionsQuery(selection({ commitHash: 'nope', distroHash: 'd1', extendedHash: null })),
    );
    await expect(answer).rejects.toMatchObject({
      code: 'PROMOTION_COMMIT_NOT_FOUND',
      message: 'commit_hash+distro_hash+extended_hash combination not found',
    });
    expect(asked.filters).toEqual([]);
  });

  it('lists every promotion without a commit', async () => {
    const { handler, asked } = views();
    await handler.execute(new PromotionsQuery(selection(null)));
    expect(asked.at).toEqual([null]);
    expect(asked.filters[0]?.commit).toBeNull();
  });
});
