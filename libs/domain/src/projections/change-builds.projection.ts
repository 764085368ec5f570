import type { ChangeBuildEvent, ChangeSide } from '../change/change.events.js';
import type { Forge } from '../webhook/webhook.events.js';
import type { ProjectionDefinition, RecordedOf } from './projection.js';

export type ChangeBuildDocState = 'queued' | 'running' | 'succeeded' | 'failed' | 'superseded' | 'cancelled';

export const CHANGE_BUILD_STATES: readonly ChangeBuildDocState[] = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'superseded',
  'cancelled',
];

/** One patch set's build of one package (key: `<forge>_<side>_<change>_<package>_<patchset>`). */
export interface ChangeBuildDoc {
  readonly forge: Forge;
  readonly change: string;
  readonly package: string;
  readonly side: ChangeSide;
  readonly patchset: number;
  readonly state: ChangeBuildDocState;
  readonly headSha: string;
  readonly fetchRef: string;
  readonly repositoryUrl: string;
  readonly requestedAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly builderId: string | null;
  /** Relative to datadir; null until built, and again once purged. */
  readonly repoPath: string | null;
  readonly repoFile: string | null;
  readonly rpms: readonly string[];
  readonly nvr: string | null;
  readonly reason: string | null;
  readonly logPath: string | null;
  readonly supersededBy: number | null;
  readonly purged: boolean;
  /** Position of the request: the listing's order and cursor (unique, never moves). */
  readonly requestedPosition: number;
  readonly lastPosition: number;
}

export function changeBuildDocKey(data: {
  readonly forge: string;
  readonly side: string;
  readonly change: string;
  readonly package: string;
  readonly patchset: number;
}): string {
  return `${data.forge}_${data.side}_${data.change}_${data.package}_${data.patchset}`;
}

function evolve(doc: ChangeBuildDoc | null, event: RecordedOf<ChangeBuildEvent>): ChangeBuildDoc | null {
  if (doc !== null && event.position <= doc.lastPosition) return doc;
  const at = event.metadata.occurredAt;
  if (event.type === 'ChangeBuildRequested') {
    const d = event.data;
    return {
      forge: d.forge,
      change: d.change,
      package: d.package,
      side: d.side,
      patchset: d.patchset,
      state: 'queued',
      headSha: d.headSha,
      fetchRef: d.fetchRef,
      repositoryUrl: d.repositoryUrl,
      requestedAt: d.requestedAt,
      startedAt: null,
      finishedAt: null,
      builderId: null,
      repoPath: null,
      repoFile: null,
      rpms: [],
      nvr: null,
      reason: null,
      logPath: null,
      supersededBy: null,
      purged: false,
      requestedPosition: event.position,
      lastPosition: event.position,
    };
  }
  if (doc === null) return null;
  const moved = { ...doc, lastPosition: event.position };
  switch (event.type) {
    case 'ChangeBuildStarted':
      return { ...moved, state: 'running', startedAt: event.data.startedAt, builderId: event.data.builderId };
    case 'ChangeBuildSucceeded':
      return {
        ...moved,
        state: 'succeeded',
        finishedAt: at,
        repoPath: event.data.repoPath,
        repoFile: event.data.repoFile,
        rpms: event.data.rpms,
        nvr: event.data.nvr,
      };
    case 'ChangeBuildFailed':
      return { ...moved, state: 'failed', finishedAt: at, reason: event.data.reason, logPath: event.data.logPath };
    case 'ChangeBuildSuperseded':
      return { ...moved, state: 'superseded', supersededBy: event.data.byPatchset };
    case 'ChangeBuildCancelled':
      return { ...moved, state: 'cancelled', reason: `change ${event.data.reason}` };
    case 'ChangeBuildPurged':
      return { ...moved, repoPath: null, repoFile: null, logPath: null, purged: true };
    default:
      return doc;
  }
}

/** `GET /api/changes` and the changes page: every patch set's build, newest request first. */
export const changeBuildsProjection: ProjectionDefinition<
  ChangeBuildDoc,
  ChangeBuildEvent,
  'package' | 'forge' | 'state' | 'change' | 'requested_position'
> = {
  name: 'change_builds',
  version: 1,
  eventTypes: [
    'ChangeBuildRequested',
    'ChangeBuildStarted',
    'ChangeBuildSucceeded',
    'ChangeBuildFailed',
    'ChangeBuildSuperseded',
    'ChangeBuildCancelled',
    'ChangeBuildPurged',
  ],
  keys: (event) => [changeBuildDocKey(event.data)],
  evolve: (doc, event) => evolve(doc, event),
  columns: { package: 'text', forge: 'text', state: 'text', change: 'text', requested_position: 'integer' },
  row: (doc) => ({
    package: doc.package,
    forge: doc.forge,
    state: doc.state,
    change: doc.change,
    requested_position: doc.requestedPosition,
  }),
  // Stryker disable next-line ArrayDeclaration: equivalent: an index changes how a query runs, not what it answers
  indexes: [['requested_position'], ['package', 'requested_position'], ['state', 'requested_position']],
};
