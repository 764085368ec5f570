import type { PromotionRolledBack, RepoPromoted } from '#domain/promotion/promotion.events.js';

/** A RepoPromoted's data: `name` pointed at `repoDir`, by `ci`, with nothing it replaced. */
export const repoPromoted = (name: string, repoDir: string, component: string | null = null): RepoPromoted['data'] => ({
  promotionName: name,
  commitHash: 'c',
  distroHash: 'd',
  extendedHash: null,
  component,
  repoDir,
  previousRepoDir: null,
  timestamp: 1_700_000_000,
  user: 'ci',
  aggregateHash: null,
});

/** A PromotionRolledBack's data: the first promotion of `name` (to `rolledBack`) undone, so no link. */
export const firstPromotionRolledBack = (name: string, rolledBack: string): PromotionRolledBack['data'] => ({
  promotionName: name,
  component: null,
  promotionEventIds: [],
  rolledBackRepoDir: rolledBack,
  repoDir: null,
  restored: null,
  timestamp: 1_700_000_001,
  user: 'ci',
});
