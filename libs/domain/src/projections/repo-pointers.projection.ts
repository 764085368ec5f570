import type { PromotionRolledBack, RepoPromoted } from '../promotion/promotion.events.js';
import type { ConsistentMoved, CurrentMoved } from '../repo/repo.events.js';
import type { ProjectionDefinition, RecordedOf } from './projection.js';

/** Where a symlink of `<datadir>/repos` points: `current`, `consistent` or a promotion name. */
export interface RepoPointerDoc {
  /** The key: `current`, `consistent`, `<promotion>`, or `component/<c>/<name>` per component. */
  readonly name: string;
  /** The link's own name, without the component prefix. */
  readonly pointer: string;
  readonly kind: 'current' | 'consistent' | 'promotion';
  readonly component: string | null;
  readonly repoDir: string;
  /** Set for current/consistent (they follow a build). */
  readonly buildId: string | null;
  /** Set for promotions (they name the repository by its hashes). */
  readonly commitHash: string | null;
  readonly distroHash: string | null;
  readonly extendedHash: string | null;
  readonly aggregateHash: string | null;
  readonly user: string | null;
  /** When the link moved here (the event's occurredAt). */
  readonly since: string;
  readonly previousRepoDir: string | null;
  readonly position: number;
  readonly lastPosition: number;
}

type Folded = CurrentMoved | ConsistentMoved | RepoPromoted | PromotionRolledBack;

const pointerName = (e: Folded): string => {
  switch (e.type) {
    case 'CurrentMoved':
      return 'current';
    case 'ConsistentMoved':
      return 'consistent';
    default:
      return e.data.promotionName;
  }
};

/** Same layout as the links on disk: per-component links live under `component/<c>/`. */
const keyOf = (e: Folded): string =>
  e.data.component ? `component/${e.data.component}/${pointerName(e)}` : pointerName(e);

function evolve(doc: RepoPointerDoc | null, event: RecordedOf<Folded>, key: string): RepoPointerDoc | null {
  if (doc !== null && event.position <= doc.lastPosition) return doc;
  const folded = event;
  if (folded.type === 'PromotionRolledBack') {
    // The name points again where it pointed before the undone batch, or nowhere.
    const restored = folded.data.restored;
    if (restored === null) return null;
    return evolve(
      doc,
      { ...event, type: 'RepoPromoted', data: { ...restored, previousRepoDir: folded.data.rolledBackRepoDir } },
      key,
    );
  }
  const e = folded;
  const promoted = e.type === 'RepoPromoted' ? e.data : null;
  return {
    name: key,
    pointer: pointerName(e),
    kind: e.type === 'CurrentMoved' ? 'current' : e.type === 'ConsistentMoved' ? 'consistent' : 'promotion',
    component: e.data.component,
    repoDir: e.data.repoDir,
    buildId: e.type === 'RepoPromoted' ? null : e.data.buildId,
    commitHash: promoted?.commitHash ?? null,
    distroHash: promoted?.distroHash ?? null,
    extendedHash: promoted?.extendedHash ?? null,
    aggregateHash: promoted?.aggregateHash ?? null,
    user: promoted?.user ?? null,
    since: event.metadata.occurredAt,
    // The event knows what it replaced; a missing value falls back to what we last saw.
    previousRepoDir: e.data.previousRepoDir ?? doc?.repoDir ?? null,
    position: event.position,
    lastPosition: event.position,
  };
}

/** The repository links (key: link name, `component/<c>/<name>` with components). */
export type RepoPointerColumn = 'pointer' | 'kind' | 'component' | 'repo_dir' | 'since' | 'position';

export const repoPointersProjection: ProjectionDefinition<RepoPointerDoc, Folded, RepoPointerColumn> = {
  name: 'repo_pointers',
  version: 1,
  // PromotionRolledBack joined in version 1: no stored log without it changes (see promotions).
  eventTypes: ['CurrentMoved', 'ConsistentMoved', 'RepoPromoted', 'PromotionRolledBack'],
  keys: (event) => [keyOf(event)],
  evolve: (doc, event, _context, key) => evolve(doc, event, key),
  columns: { pointer: 'text', kind: 'text', component: 'text', repo_dir: 'text', since: 'text', position: 'integer' },
  row: (doc) => ({
    pointer: doc.pointer,
    kind: doc.kind,
    component: doc.component,
    repo_dir: doc.repoDir,
    since: doc.since,
    position: doc.position,
  }),
  // Stryker disable next-line ArrayDeclaration: equivalent: an index changes how a query runs, not what it answers
  indexes: [['kind'], ['component']],
};
