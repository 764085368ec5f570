import type { Decider } from '../shared/decider.js';
import type { EventPayload } from '../shared/event.js';
import { VERSIONS_CSV_HEADER } from './snapshot.js';
import type { AggregateEvent, AggregateMember, AggregateRepoPublished } from './repo.events.js';

/** One component's files under `repos/component/<c>/<name>/`, as read (null: absent). */
export interface AggregatePart {
  readonly component: string;
  readonly repoDir: string;
  readonly repoFile: string | null;
  readonly versionsCsv: string | null;
}

export interface AggregateTexts {
  /** The concatenated `.repo` texts: the aggregate hash is the MD5 of exactly this text. */
  readonly repoText: string;
  readonly versionsCsv: string;
  /** The components whose `.repo` file was found. */
  readonly members: readonly AggregateMember[];
}

/**
 * The components an aggregate is made of, in DLRN's order: those both known (DLRN: in the
 * commits table) and in the package list, sorted by code point as Python's `sorted` does.
 * Packages without a component key are not part of any aggregate.
 */
export function aggregateComponents(
  known: Iterable<string | null>,
  inPackageList: Iterable<string | null> | null = null,
): string[] {
  const listed = inPackageList === null ? null : new Set(inPackageList);
  const out = new Set<string>();
  for (const c of known) if (c !== null && c !== 'None' && (listed === null || listed.has(c))) out.add(c);
  // Stryker disable next-line EqualityOperator,ConditionalExpression: equivalent: V8's sort reads only whether the result is below 0, and a Set holds no two equal components
  return [...out].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * DLRN `aggregate_repo_files`: each component's `.repo` text followed by one `\n`, and the
 * `versions.csv` lines after each file's first (Python's `readlines()[1:]`: line ends kept, a
 * last line without one glued to the next file's first data line) under DLRN's header.
 * Parts must come in `aggregateComponents` order.
 */
export function concatAggregate(parts: readonly AggregatePart[]): AggregateTexts {
  let repoText = '';
  let csv = '';
  const members: AggregateMember[] = [];
  for (const part of parts) {
    if (part.repoFile !== null) {
      repoText += `${part.repoFile}\n`;
      members.push({ component: part.component, repoDir: part.repoDir });
    }
    if (part.versionsCsv !== null) csv += dataLines(part.versionsCsv);
  }
  return { repoText, versionsCsv: `${VERSIONS_CSV_HEADER}\n${csv}`, members };
}

/** Everything after the first line (its `\n` included); nothing when there is no `\n`. */
function dataLines(text: string): string {
  const end = text.indexOf('\n');
  return end === -1 ? '' : text.slice(end + 1);
}

/** `<name>/<h[0:2]>/<h[2:4]>/<h>`, relative to `<datadir>/repos`. */
export function aggregateDirOf(name: string, aggregateHash: string): string {
  return `${name}/${aggregateHash.slice(0, 2)}/${aggregateHash.slice(2, 4)}/${aggregateHash}`;
}

/** Record the aggregate of a name as just computed. */
export interface PublishAggregate {
  readonly type: 'PublishAggregate';
  readonly data: AggregateRepoPublished['data'];
}

export interface AggregateState {
  readonly aggregateHash: string | null;
}

function decide(command: PublishAggregate, state: AggregateState): readonly EventPayload<AggregateEvent>[] {
  // Same text, same hash: the name's aggregate did not change (a pointer moved in another
  // component's name only, or the disk was only caught up with the log).
  if (state.aggregateHash === command.data.aggregateHash) return [];
  return [{ type: 'AggregateRepoPublished', data: command.data }];
}

/**
 * The aggregated repository of one name (`aggregate-<name>`): a new event each time its hash
 * changes. The state is the last event alone (`AGGREGATE_DECIDER_TAIL`).
 */
export const aggregateDecider: Decider<PublishAggregate, AggregateState, AggregateEvent> = {
  decide,
  evolve: (_state, event) => ({ aggregateHash: event.data.aggregateHash }),
  initialState: () => ({ aggregateHash: null }),
};

export const AGGREGATE_DECIDER_TAIL = 1;
