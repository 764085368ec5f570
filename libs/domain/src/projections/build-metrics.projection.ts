import type { BuildFailed, BuildRechecked, BuildRetryScheduled, BuildSucceeded } from '../build/build.events.js';
import type { ProjectionContext, ProjectionDefinition, RecordedOf } from './projection.js';

/**
 * Build counts by status (DLRN's `dlrn_builds_*` metrics), for all time (`all`) and per package
 * (`package:<name>`). A rechecked result no longer counts (DLRN deletes the row). Counts over a
 * time window (`/api/metrics/builds?start_date…`) are answered from the `builds` projection,
 * whose `dt_build` is indexed: keeping per-day sets of build ids here made every event copy them.
 */
export interface BuildMetricsDoc {
  /** `all`, or the package name. */
  readonly scope: string;
  readonly success: number;
  readonly failed: number;
  readonly retry: number;
  readonly lastPosition: number;
}

export const ALL_TIME = 'all';
const PACKAGE_PREFIX = 'package:';

type Folded = BuildSucceeded | BuildFailed | BuildRetryScheduled | BuildRechecked;
type Delta = { field: 'success' | 'failed' | 'retry'; delta: 1 | -1 };

const DELTAS: Readonly<Record<Exclude<Folded['type'], 'BuildRechecked'>, Delta>> = {
  BuildSucceeded: { field: 'success', delta: 1 },
  BuildFailed: { field: 'failed', delta: 1 },
  BuildRetryScheduled: { field: 'retry', delta: 1 },
};

function change(event: RecordedOf<Folded>): Delta | undefined {
  if (event.type === 'BuildRechecked') {
    const previous = event.data.previousStatus;
    return { field: previous === 'SUCCESS' ? 'success' : 'failed', delta: -1 };
  }
  return DELTAS[event.type];
}

export const buildMetricsProjection: ProjectionDefinition<
  BuildMetricsDoc,
  Folded,
  'scope' | 'success' | 'failed' | 'retry'
> = {
  name: 'build_metrics',
  // 3: bisection steps are not counted (issue 20), as /api/metrics/builds does not count them.
  version: 3,
  eventTypes: ['BuildSucceeded', 'BuildFailed', 'BuildRetryScheduled', 'BuildRechecked'],
  keys: (_event, context: ProjectionContext) => {
    if (context.commit?.purpose.kind === 'bisection') return [];
    return context.commit ? [ALL_TIME, `${PACKAGE_PREFIX}${context.commit.package}`] : [ALL_TIME];
  },
  evolve(doc, event, _context, key) {
    if (doc && event.position <= doc.lastPosition) return doc;
    const current = doc ?? {
      scope: key === ALL_TIME ? ALL_TIME : key.slice(PACKAGE_PREFIX.length),
      success: 0,
      failed: 0,
      retry: 0,
      lastPosition: 0,
    };
    const delta = change(event);
    // Written out: a computed key in a literal makes V8 build the object the slow way.
    return {
      scope: current.scope,
      success: current.success + (delta?.field === 'success' ? delta.delta : 0),
      failed: current.failed + (delta?.field === 'failed' ? delta.delta : 0),
      retry: current.retry + (delta?.field === 'retry' ? delta.delta : 0),
      lastPosition: event.position,
    };
  },
  columns: { scope: 'text', success: 'integer', failed: 'integer', retry: 'integer' },
  row: (doc) => ({ scope: doc.scope, success: doc.success, failed: doc.failed, retry: doc.retry }),
  // Stryker disable next-line ArrayDeclaration: equivalent: an index changes how a query runs, not what it answers
  indexes: [['scope']],
};
