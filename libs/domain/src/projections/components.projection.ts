import type { BuildClaimed } from '../build/build.events.js';
import type { RepoPromoted } from '../promotion/promotion.events.js';
import type { ProjectionContext, ProjectionDefinition, RecordedOf } from './projection.js';

/** A component seen in builds or promotions. DLRN's `getComponents` lists promotion ones only. */
export interface ComponentDoc {
  readonly name: string;
  readonly seenInBuilds: boolean;
  readonly seenInPromotions: boolean;
  readonly firstSeenAt: string;
  readonly lastPosition: number;
}

type Folded = BuildClaimed | RepoPromoted;

const componentOf = (event: RecordedOf<Folded>, context: ProjectionContext): string | null =>
  event.type === 'RepoPromoted' ? event.data.component : (context.commit?.component ?? null);

function evolve(doc: ComponentDoc | null, event: RecordedOf<Folded>, key: string): ComponentDoc | null {
  if (doc !== null && event.position <= doc.lastPosition) return doc;
  const e = event;
  const base = doc ?? {
    name: key,
    seenInBuilds: false,
    seenInPromotions: false,
    firstSeenAt: event.metadata.occurredAt,
    lastPosition: event.position,
  };
  const seen = e.type === 'RepoPromoted' ? { seenInPromotions: true } : { seenInBuilds: true };
  return { ...base, ...seen, lastPosition: event.position };
}

/** Components (key: name), from build claims (the commit's) and promotions. */
export type ComponentColumn = 'name' | 'in_builds' | 'in_promotions';

export const componentsProjection: ProjectionDefinition<ComponentDoc, Folded, ComponentColumn> = {
  name: 'components',
  version: 1,
  eventTypes: ['BuildClaimed', 'RepoPromoted'],
  keys: (event, context) => {
    const component = componentOf(event, context);
    return component ? [component] : [];
  },
  evolve: (doc, event, _context, key) => evolve(doc, event, key),
  columns: { name: 'text', in_builds: 'integer', in_promotions: 'integer' },
  row: (doc) => ({
    name: doc.name,
    in_builds: doc.seenInBuilds ? 1 : 0,
    in_promotions: doc.seenInPromotions ? 1 : 0,
  }),
  // Stryker disable next-line ArrayDeclaration: equivalent: an index changes how a query runs, not what it answers
  indexes: [['in_promotions', 'name']],
};
