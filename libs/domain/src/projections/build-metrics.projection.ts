import type {
  BuildAbandoned,
  BuildFailed,
  BuildRechecked,
  BuildRetryScheduled,
  BuildStarted,
  BuildSucceeded,
} from '../build/build.events.js';
import type { BuildStatus } from '../build/build.state.js';
import type { RecordedEvent } from '../shared/event.js';
import type { ProjectionDefinition } from './projection.js';

/** Build counts by status: per UTC day of dt_build (`YYYY-MM-DD`), and for all time (`all`). */
export interface BuildMetricsDoc {
  /** `YYYY-MM-DD`, or `all`. */
  readonly day: string;
  /** Epoch seconds of the day's UTC midnight; null for `all`. */
  readonly dayStart: number | null;
  readonly success: number;
  readonly failed: number;
  readonly retry: number;
  /** Day documents: builds started that day and not finished yet. */
  readonly open: Readonly<Record<string, true>>;
  /** Day documents: counted SUCCESS/FAILED results, so that a recheck finds its day. */
  readonly counted: Readonly<Record<string, 'SUCCESS' | 'FAILED'>>;
  readonly lastPosition: number;
}

export const ALL_TIME = 'all';
/**
 * Result events do not repeat dt_build: a result looks for its start in the days up to this many
 * before its own; a build running longer only counts in `all`.
 */
const RESULT_LOOKBACK_DAYS = 2;
/** A recheck looks this far back for the day of its result; older ones are corrected in `all` only. */
const RECHECK_LOOKBACK_DAYS = 60;
const DAY_SECONDS = 86_400;

type Folded = BuildStarted | BuildAbandoned | BuildSucceeded | BuildFailed | BuildRetryScheduled | BuildRechecked;

const RESULTS: Readonly<Record<string, BuildStatus>> = {
  BuildSucceeded: 'SUCCESS',
  BuildFailed: 'FAILED',
  BuildRetryScheduled: 'RETRY',
};

const FIELD = { SUCCESS: 'success', FAILED: 'failed', RETRY: 'retry' } as const;

const dayOf = (epochSeconds: number): string => new Date(epochSeconds * 1000).toISOString().slice(0, 10);

/** The event's own day and the `back` days before it. */
function daysBefore(event: RecordedEvent, back: number): string[] {
  const at = Math.floor(Date.parse(event.metadata.occurredAt) / 1000);
  return Array.from({ length: back + 1 }, (_, i) => dayOf(at - i * DAY_SECONDS));
}

function empty(key: string): BuildMetricsDoc {
  const dayStart = key === ALL_TIME ? null : Date.parse(`${key}T00:00:00Z`) / 1000;
  return { day: key, dayStart, success: 0, failed: 0, retry: 0, open: {}, counted: {}, lastPosition: 0 };
}

function add(doc: BuildMetricsDoc, status: BuildStatus, delta: number): BuildMetricsDoc {
  const field = FIELD[status];
  return { ...doc, [field]: doc[field] + delta };
}

function evolveAll(doc: BuildMetricsDoc | null, e: Folded, position: number): BuildMetricsDoc | null {
  const base = { ...(doc ?? empty(ALL_TIME)), lastPosition: position };
  const status = RESULTS[e.type];
  if (status !== undefined) return add(base, status, 1);
  // DLRN deletes a rechecked row, so it leaves the counts it was in.
  if (e.type === 'BuildRechecked') return add(base, e.data.previousStatus, -1);
  return doc;
}

function evolveDay(doc: BuildMetricsDoc | null, e: Folded, position: number, key: string): BuildMetricsDoc | null {
  if (e.type === 'BuildStarted') {
    const base = doc ?? empty(key);
    return { ...base, open: { ...base.open, [e.data.buildId]: true }, lastPosition: position };
  }
  // Other events only concern the day that holds their build; other days are left untouched.
  if (doc === null) return null;
  const { buildId } = e.data;
  const { [buildId]: opened, ...open } = doc.open;
  const { [buildId]: counted, ...stillCounted } = doc.counted;
  const status = RESULTS[e.type];
  if (status !== undefined && opened) {
    const done = status === 'RETRY' ? doc.counted : { ...doc.counted, [buildId]: status };
    return add({ ...doc, open, counted: done, lastPosition: position }, status, 1);
  }
  if (e.type === 'BuildAbandoned' && opened) return { ...doc, open, lastPosition: position };
  if (e.type === 'BuildRechecked' && counted) {
    return add({ ...doc, counted: stillCounted, lastPosition: position }, counted, -1);
  }
  return doc;
}

/**
 * DLRN's build metrics (§6.4, Prometheus counters): builds by status, a rechecked result taken
 * out again. `all` is exact; day documents hold builds by the UTC day of their dt_build.
 * Per-package or bound-exact ranges come from the `builds` projection (dt_build index).
 */
export const buildMetricsProjection: ProjectionDefinition<BuildMetricsDoc> = {
  name: 'build_metrics',
  version: 1,
  eventTypes: [
    'BuildStarted',
    'BuildAbandoned',
    'BuildSucceeded',
    'BuildFailed',
    'BuildRetryScheduled',
    'BuildRechecked',
  ] satisfies Folded['type'][],
  keys: (event) => {
    const e = event as unknown as Folded;
    switch (e.type) {
      case 'BuildStarted':
        return [dayOf(e.data.dtBuild)];
      case 'BuildAbandoned':
        return daysBefore(event, RESULT_LOOKBACK_DAYS);
      case 'BuildRechecked':
        return [ALL_TIME, ...daysBefore(event, RECHECK_LOOKBACK_DAYS)];
      default:
        return [ALL_TIME, ...daysBefore(event, RESULT_LOOKBACK_DAYS)];
    }
  },
  evolve: (doc, event, _context, key) => {
    if (doc !== null && event.position <= doc.lastPosition) return doc;
    const e = event as unknown as Folded;
    return key === ALL_TIME ? evolveAll(doc, e, event.position) : evolveDay(doc, e, event.position, key);
  },
  columns: { day: 'text', day_start: 'integer', success: 'integer', failed: 'integer', retry: 'integer' },
  row: (doc) => ({
    day: doc.day,
    day_start: doc.dayStart,
    success: doc.success,
    failed: doc.failed,
    retry: doc.retry,
  }),
  indexes: [['day_start']],
};
