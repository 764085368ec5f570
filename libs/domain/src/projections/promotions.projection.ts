import type { PromotionRolledBack, RepoPromoted } from '../promotion/promotion.events.js';
import type { ColumnType, ProjectionDefinition, RecordedOf } from './projection.js';

/** DLRN's `promotions` row, with the hashes of the promoted commit inlined. */
export interface PromotionDoc {
  /** Position of RepoPromoted: DLRN's id order ("newest id first"). */
  readonly id: number;
  readonly promotionName: string;
  readonly commitHash: string;
  readonly distroHash: string;
  readonly extendedHash: string | null;
  readonly repoDir: string;
  readonly previousRepoDir: string | null;
  readonly timestamp: number;
  readonly user: string | null;
  readonly component: string | null;
  readonly aggregateHash: string | null;
  readonly lastPosition: number;
}

type Folded = RepoPromoted | PromotionRolledBack;

function evolve(doc: PromotionDoc | null, event: RecordedOf<Folded>): PromotionDoc | null {
  // A batch that could not be recorded whole undid its promotions: DLRN keeps no row of them.
  if (event.type === 'PromotionRolledBack') return null;
  // One event, one row: a document that exists already is this event's own, replayed.
  if (doc !== null) return doc;
  const data = event.data;
  return {
    id: event.position,
    promotionName: data.promotionName,
    commitHash: data.commitHash,
    distroHash: data.distroHash,
    extendedHash: data.extendedHash,
    repoDir: data.repoDir,
    previousRepoDir: data.previousRepoDir,
    timestamp: data.timestamp,
    user: data.user,
    component: data.component,
    aggregateHash: data.aggregateHash,
    lastPosition: event.position,
  };
}

/**
 * DLRN's `promotions` table (key: event id of RepoPromoted); list by `id` descending. Still
 * version 1 with PromotionRolledBack folded in: that event type is newer than every stored
 * log that lacks it, so the documents of those logs are unchanged and need no rebuild.
 */
const PROMOTION_COLUMNS = {
  id: 'integer',
  promotion_name: 'text',
  commit_hash: 'text',
  distro_hash: 'text',
  extended_hash: 'text',
  repo_dir: 'text',
  timestamp: 'integer',
  user: 'text',
  component: 'text',
  aggregate_hash: 'text',
} as const satisfies Record<string, ColumnType>;
export type PromotionColumn = keyof typeof PROMOTION_COLUMNS;

export const promotionsProjection: ProjectionDefinition<PromotionDoc, Folded, PromotionColumn> = {
  name: 'promotions',
  version: 1,
  eventTypes: ['RepoPromoted', 'PromotionRolledBack'],
  keys: (event) =>
    event.type === 'PromotionRolledBack' ? [...event.data.promotionEventIds] : [event.metadata.eventId],
  evolve: (doc, event) => evolve(doc, event),
  columns: PROMOTION_COLUMNS,
  row: (doc) => ({
    id: doc.id,
    promotion_name: doc.promotionName,
    commit_hash: doc.commitHash,
    distro_hash: doc.distroHash,
    extended_hash: doc.extendedHash,
    repo_dir: doc.repoDir,
    timestamp: doc.timestamp,
    user: doc.user,
    component: doc.component,
    aggregate_hash: doc.aggregateHash,
  }),
  // Stryker disable ArrayDeclaration: equivalent: an index changes how a query runs, not what it answers
  indexes: [
    ['promotion_name', 'timestamp'],
    ['timestamp'],
    ['component'],
    ['commit_hash', 'distro_hash'],
    ['aggregate_hash'],
  ],
  // Stryker restore ArrayDeclaration
};
