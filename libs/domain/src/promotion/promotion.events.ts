import type { DomainEvent } from '../shared/event.js';

/** A repository was given a promotion name (`current-passed-ci`…); the symlink follows it. */
export type RepoPromoted = DomainEvent<
  'RepoPromoted',
  {
    readonly promotionName: string;
    readonly commitHash: string;
    readonly distroHash: string;
    readonly extendedHash: string | null;
    readonly component: string | null;
    readonly repoDir: string;
    readonly previousRepoDir: string | null;
    /** Epoch seconds, server time. */
    readonly timestamp: number;
    readonly user: string | null;
    /** MD5 of the aggregated .repo after this promotion (components only). */
    readonly aggregateHash: string | null;
  }
>;

/**
 * Promotions of a batch were undone because a later item of the same batch could not be
 * recorded (`promote-batch` is all or nothing). The name points again where it pointed before
 * the batch; `repoDir` null means no link at all. Recorded only while the batch's last
 * promotion of the name is still its latest: a promotion made meanwhile by someone else stands.
 * Only versions before the atomic batch (one multi-stream append) recorded it; their logs keep it.
 */
export type PromotionRolledBack = DomainEvent<
  'PromotionRolledBack',
  {
    readonly promotionName: string;
    readonly component: string | null;
    /** Event ids of the RepoPromoted undone: their rows leave DLRN's promotions table. */
    readonly promotionEventIds: readonly string[];
    /** Target of the last undone promotion (where the link is taken from). */
    readonly rolledBackRepoDir: string;
    /** Where the link points again (before the batch); null: no link. */
    readonly repoDir: string | null;
    /** The promotion in force again (before the batch), as it was recorded; null: none. */
    readonly restored: RepoPromoted['data'] | null;
    /** Epoch seconds, server time. */
    readonly timestamp: number;
    readonly user: string | null;
  }
>;

export type PromotionEvent = RepoPromoted | PromotionRolledBack;

export function promotionStreamId(promotionName: string, component: string | null = null): string {
  return component ? `promotion-${promotionName}@component/${component}` : `promotion-${promotionName}`;
}
