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

export type PromotionEvent = RepoPromoted;

export function promotionStreamId(promotionName: string, component: string | null = null): string {
  return component ? `promotion-${promotionName}@component/${component}` : `promotion-${promotionName}`;
}
