import type {
  BuildAbandoned,
  BuildFailed,
  BuildMoved,
  BuildRetryScheduled,
  BuildStarted,
  BuildSucceeded,
} from '../build/build.events.js';
import type { ProjectionDefinition, RecordedOf } from './projection.js';

/** Upper bounds (seconds) of the build duration histogram's buckets, suited to RPM builds. */
export const BUILD_DURATION_BUCKETS: readonly number[] = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];

/** Passes remembered one by one; an older pass only leaves its time if it was successful. */
const PASSES_KEPT = 16;

export interface PassOutcome {
  /** The pass's correlation id: every event a pass appends carries it. */
  readonly id: string;
  /** No build of the pass ended otherwise than SUCCESS (so far). */
  readonly ok: boolean;
  /** When its last result was recorded (ms since the epoch). */
  readonly at: number;
}

/**
 * What `/metrics` graphs of the builds themselves (ours; DLRN has no such figures): the
 * duration of each build, BuildStarted to its result, in DLRN-suited buckets, and the end of
 * the last pass all of whose builds succeeded (a pass is the builds sharing a correlation id).
 * One document (`all`): builds in progress by id (start time), bucket counts, sum and count,
 * the last PASSES_KEPT passes.
 */
export interface BuildTimingsDoc {
  readonly key: 'all';
  /** Builds started and not ended: build id → start (ms since the epoch). */
  readonly started: Readonly<Record<string, number>>;
  /** Builds per bucket of BUILD_DURATION_BUCKETS (not cumulative), then one for longer ones. */
  readonly counts: readonly number[];
  /** Seconds, all builds together. */
  readonly sum: number;
  readonly count: number;
  readonly passes: readonly PassOutcome[];
  /** Latest end of a successful pass no longer in `passes` (ms), or null. */
  readonly olderSuccessAt: number | null;
  readonly lastPosition: number;
}

export const BUILD_TIMINGS_KEY = 'all';

type Folded = BuildStarted | BuildSucceeded | BuildFailed | BuildRetryScheduled | BuildAbandoned | BuildMoved;

function empty(): BuildTimingsDoc {
  return {
    key: BUILD_TIMINGS_KEY,
    started: {},
    counts: BUILD_DURATION_BUCKETS.map(() => 0).concat(0),
    sum: 0,
    count: 0,
    passes: [],
    olderSuccessAt: null,
    lastPosition: 0,
  };
}

/** The end of the last pass whose builds all succeeded (ms since the epoch), or null. */
export function lastSuccessfulPassAt(doc: BuildTimingsDoc): number | null {
  let best = doc.olderSuccessAt;
  for (const pass of doc.passes) if (pass.ok && (best === null || pass.at > best)) best = pass.at;
  return best;
}

function withPass(
  doc: BuildTimingsDoc,
  id: string,
  ok: boolean,
  at: number,
): Pick<BuildTimingsDoc, 'passes' | 'olderSuccessAt'> {
  const known = doc.passes.find((pass) => pass.id === id);
  const updated: PassOutcome = { id, ok: ok && (known?.ok ?? true), at: Math.max(at, known?.at ?? at) };
  const passes = [...doc.passes.filter((pass) => pass.id !== id), updated];
  let olderSuccessAt = doc.olderSuccessAt;
  while (passes.length > PASSES_KEPT) {
    const dropped = passes.shift()!;
    if (dropped.ok && (olderSuccessAt === null || dropped.at > olderSuccessAt)) olderSuccessAt = dropped.at;
  }
  return { passes, olderSuccessAt };
}

function ended(doc: BuildTimingsDoc, event: RecordedOf<Folded>): BuildTimingsDoc {
  const { buildId } = event.data;
  const startedAt = doc.started[buildId];
  const started = { ...doc.started };
  delete started[buildId];
  // An abandon ends nothing that ran to a result; a result of a build never started here (an
  // import) has no duration.
  if (event.type === 'BuildAbandoned' || startedAt === undefined) {
    return { ...doc, started, lastPosition: event.position };
  }
  const at = Date.parse(event.metadata.occurredAt);
  const seconds = Math.max(0, (at - startedAt) / 1000);
  const bucket = BUILD_DURATION_BUCKETS.findIndex((bound) => seconds <= bound);
  const counts = doc.counts.map((n, i) => (i === (bucket < 0 ? BUILD_DURATION_BUCKETS.length : bucket) ? n + 1 : n));
  return {
    ...doc,
    started,
    counts,
    sum: doc.sum + seconds,
    count: doc.count + 1,
    ...withPass(doc, event.metadata.correlationId, event.type === 'BuildSucceeded', at),
    lastPosition: event.position,
  };
}

export const buildTimingsProjection: ProjectionDefinition<BuildTimingsDoc, Folded, 'key'> = {
  name: 'build_timings',
  version: 1,
  eventTypes: ['BuildStarted', 'BuildSucceeded', 'BuildFailed', 'BuildRetryScheduled', 'BuildAbandoned', 'BuildMoved'],
  keys: () => [BUILD_TIMINGS_KEY],
  evolve(doc, event) {
    const current = doc ?? empty();
    if (event.position <= current.lastPosition) return current;
    if (event.type === 'BuildStarted') {
      return {
        ...current,
        started: { ...current.started, [event.data.buildId]: Date.parse(event.metadata.occurredAt) },
        lastPosition: event.position,
      };
    }
    if (event.type === 'BuildMoved') {
      // The build goes on under its new id: its duration counts from its first start.
      const { buildId, toBuildId } = event.data;
      const started = { ...current.started };
      const startedAt = started[buildId];
      delete started[buildId];
      if (startedAt !== undefined) started[toBuildId] = startedAt;
      return { ...current, started, lastPosition: event.position };
    }
    return ended(current, event);
  },
  columns: { key: 'text' },
  row: (doc) => ({ key: doc.key }),
  indexes: [],
};
