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
 * A promotion of a batch was undone because a later item of the same batch could not be
 * recorded (`promote-batch` is all or nothing). The name points again where it pointed before
 * the undone promotion; `repoDir` null means no link at all. Recorded only while the undone
 * promotion is still the name's latest: a promotion made meanwhile by someone else stands.
 */
export type PromotionRolledBack = DomainEvent<
  'PromotionRolledBack',
  {
    readonly promotionName: string;
    readonly component: string | null;
    /** Event id of the RepoPromoted undone: its row leaves DLRN's promotions table. */
    readonly promotionEventId: string;
    /** Target of the undone promotion. */
    readonly rolledBackRepoDir: string;
    /** Where the link points again (the undone promotion's `previousRepoDir`); null: no link. */
    readonly repoDir: string | null;
    /** Epoch seconds, server time. */
    readonly timestamp: number;
    readonly user: string | null;
  }
>;

export type PromotionEvent = RepoPromoted | PromotionRolledBack;

export function promotionStreamId(promotionName: string, component: string | null = null): string {
  return component ? `promotion-${promotionName}@component/${component}` : `promotion-${promotionName}`;
}
