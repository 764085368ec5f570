import type { AggregateRepoPublished } from '../repo/repo.events.js';
import type { ProjectionDefinition, RecordedOf } from './projection.js';

/**
 * An aggregate hash produced here (`repos/<name>/<…>/<hash>`): what `report_result` with an
 * `aggregate_hash` may vote on, besides the hashes promotions carry (DLRN knows only those).
 */
export interface AggregateRepoDoc {
  readonly aggregateHash: string;
  /** The names (`current`, `consistent`, promotion names) that published it, first first. */
  readonly names: readonly string[];
  readonly aggregateDir: string;
  readonly components: AggregateRepoPublished['data']['components'];
  /** Position of the first publication. */
  readonly position: number;
  readonly lastPosition: number;
}

function evolve(doc: AggregateRepoDoc | null, event: RecordedOf<AggregateRepoPublished>): AggregateRepoDoc {
  if (doc !== null && event.position <= doc.lastPosition) return doc;
  const { name, aggregateHash, aggregateDir, components } = event.data;
  if (doc === null) {
    return {
      aggregateHash,
      names: [name],
      aggregateDir,
      components,
      position: event.position,
      lastPosition: event.position,
    };
  }
  return {
    ...doc,
    names: doc.names.includes(name) ? doc.names : [...doc.names, name],
    lastPosition: event.position,
  };
}

export type AggregateRepoColumn = 'position';

/** Aggregated repositories (key: aggregate hash). */
export const aggregateReposProjection: ProjectionDefinition<
  AggregateRepoDoc,
  AggregateRepoPublished,
  AggregateRepoColumn
> = {
  name: 'aggregate_repos',
  version: 1,
  eventTypes: ['AggregateRepoPublished'],
  keys: (event) => [event.data.aggregateHash],
  evolve: (doc, event) => evolve(doc, event),
  columns: { position: 'integer' },
  row: (doc) => ({ position: doc.position }),
  indexes: [],
};
