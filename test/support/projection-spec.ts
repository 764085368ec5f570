import type { BuildStatus } from '#domain/build/build.state.js';
import type { BuildPurpose, CommitDiscovered } from '#domain/build/build.events.js';
import type { RecordedEvent } from '#domain/shared/event.js';
import type {
  ColumnValue,
  ContextualEvent,
  ProjectionContext,
  ProjectionDefinition,
} from '#domain/projections/projection.js';

/**
 * Test support for projection specs: an in-memory projector (same routing as the real one:
 * eventTypes filter, stream context from CommitDiscovered, keys → evolve → null deletes, documents
 * stored as JSON) and an event log that writes what the build loop and the API would append.
 */

const BASE_TIME = Date.parse('2024-03-01T00:00:00Z');

/** Folds `events` into `documents` (a copy is returned; the input map is left alone). */
export function project<Doc>(
  definition: ProjectionDefinition<Doc>,
  events: readonly RecordedEvent[],
  documents: ReadonlyMap<string, Doc> = new Map(),
): Map<string, Doc> {
  const docs = new Map(documents);
  const contexts = new Map<string, CommitDiscovered['data']>();
  const types = new Set(definition.eventTypes);
  const byKey = new Map<string, ContextualEvent[]>();
  for (const event of events) {
    // The projector records every build stream's commit, whichever projections read it.
    if (event.type === 'CommitDiscovered' && event.streamId.startsWith('build-') && !contexts.has(event.streamId)) {
      contexts.set(event.streamId, event.data as CommitDiscovered['data']);
    }
    if (!types.has(event.type)) continue;
    const context: ProjectionContext = {
      commit: event.streamId.startsWith('build-') ? (contexts.get(event.streamId) ?? null) : null,
    };
    for (const key of definition.keys(event, context)) {
      const keyEvents = byKey.get(key);
      if (keyEvents === undefined) byKey.set(key, [{ event, context }]);
      else keyEvents.push({ event, context });
      const current = docs.get(key) ?? null;
      // Frozen input: an evolve that mutates the stored document throws instead of passing.
      const next = definition.evolve(current === null ? null : deepFreeze(current), event, context, key);
      if (next === null) docs.delete(key);
      else docs.set(key, JSON.parse(JSON.stringify(next)) as Doc);
    }
  }
  if (definition.evolveBatch) assertSameBatched(definition, definition.evolveBatch, byKey, documents, docs);
  return docs;
}

/** `evolveBatch` over each document's events at once must give what `evolve` gave one by one. */
function assertSameBatched<Doc>(
  definition: ProjectionDefinition<Doc>,
  evolveBatch: NonNullable<ProjectionDefinition<Doc>['evolveBatch']>,
  byKey: ReadonlyMap<string, readonly ContextualEvent[]>,
  before: ReadonlyMap<string, Doc>,
  after: ReadonlyMap<string, Doc>,
): void {
  for (const [key, events] of byKey) {
    const initial = before.get(key) ?? null;
    const batched = evolveBatch(initial === null ? null : deepFreeze(structuredClone(initial)), events, key);
    const expected = JSON.stringify(after.get(key) ?? null);
    if (JSON.stringify(batched) !== expected) {
      throw new Error(`${definition.name}: evolveBatch of ${key} differs from evolve one by one`);
    }
  }
}

/** A projection that folds nothing: for specs of a store's own behaviour. */
export function emptyProjection(name: string): ProjectionDefinition {
  return {
    name,
    version: 1,
    eventTypes: [],
    keys: () => [],
    evolve: () => null,
    columns: {},
    row: () => ({}),
    indexes: [],
  };
}

/** `given(events).then(projection)`: the documents; `.replayedTwice(projection)`: after a replay. */
export function given(events: readonly RecordedEvent[]) {
  return {
    then: <Doc>(definition: ProjectionDefinition<Doc>): Map<string, Doc> => project(definition, events),
    replayedTwice: <Doc>(definition: ProjectionDefinition<Doc>): Map<string, Doc> =>
      project(definition, events, project(definition, events)),
  };
}

/** The stored rows, checked against the declared columns and their types as a store would. */
export function rowsOf<Doc>(
  definition: ProjectionDefinition<Doc>,
  documents: ReadonlyMap<string, Doc>,
): Map<string, Readonly<Record<string, ColumnValue>>> {
  const rows = new Map<string, Readonly<Record<string, ColumnValue>>>();
  for (const [key, doc] of documents) {
    const row = definition.row(doc, key);
    for (const [column, value] of Object.entries(row)) {
      const type = definition.columns[column];
      if (type === undefined) throw new Error(`${definition.name}: row has undeclared column ${column}`);
      const ok = value === null || (type === 'integer' ? Number.isInteger(value) : typeof value === 'string');
      if (!ok) throw new Error(`${definition.name}: column ${column} (${type}) got ${JSON.stringify(value)}`);
    }
    rows.set(key, row);
  }
  return rows;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

export interface BuildOptions {
  readonly distroHash?: string;
  readonly extendedHash?: string | null;
  readonly dtCommit?: number;
  readonly dtBuild?: number;
  readonly component?: string | null;
  readonly builderId?: string;
  /** occurredAt of the result event (ISO); defaults to the log's clock. */
  readonly finishedAt?: string;
  /** Default: a commit build. */
  readonly purpose?: BuildPurpose;
}

/**
 * An append-only log with ascending positions and per-stream revisions. Its clock starts at
 * 2024-03-01T00:00:00Z and moves one minute per event unless `at` sets it.
 */
export class EventLog {
  readonly events: RecordedEvent[] = [];
  private readonly revisions = new Map<string, number>();
  private readonly commits = new Map<string, number>();
  private builds = 0;

  append(streamId: string, type: string, data: object, at?: string): RecordedEvent {
    const position = this.events.length + 1;
    const revision = this.revisions.get(streamId) ?? 0;
    this.revisions.set(streamId, revision + 1);
    const occurredAt = at ?? new Date(BASE_TIME + position * 60_000).toISOString();
    const event: RecordedEvent = {
      streamId,
      revision,
      position,
      type,
      data,
      metadata: {
        schemaVersion: 1,
        eventId: `evt-${String(position).padStart(6, '0')}`,
        occurredAt,
        correlationId: 'pass-1',
        causationId: null,
        actor: 'system',
      },
      recordedAt: occurredAt,
    };
    this.events.push(event);
    return event;
  }

  /** Appends CommitDiscovered once per triple and returns the build stream id. */
  discover(pkg: string, commitHash: string, options: BuildOptions = {}): string {
    const distroHash = options.distroHash ?? 'd1';
    const ext = options.extendedHash ?? null;
    const streamId = `build-${pkg}@${commitHash}_${distroHash}${ext ? `_${ext}` : ''}`;
    if (this.commits.has(streamId)) return streamId;
    this.commits.set(streamId, 0);
    const commit: CommitDiscovered['data'] = {
      package: pkg,
      project: pkg,
      type: 'rpm',
      commitHash,
      distroHash,
      extendedHash: ext,
      dtCommit: options.dtCommit ?? 1_700_000_000 + this.events.length,
      dtDistro: 1_700_000_000,
      dtExtended: null,
      commitBranch: 'master',
      component: options.component ?? null,
      upstreamUrl: `https://github.com/openstack/${pkg}`,
      distgitUrl: null,
      versionsCsv: null,
      purpose: options.purpose ?? { kind: 'commit' },
    };
    this.append(streamId, 'CommitDiscovered', commit);
    return streamId;
  }

  claim(streamId: string, builderId = 'builder-1'): string {
    const attempt = (this.commits.get(streamId) ?? 0) + 1;
    this.commits.set(streamId, attempt);
    const buildId = `b${++this.builds}`;
    this.append(streamId, 'BuildClaimed', {
      buildId,
      attempt,
      builderId,
      leaseExpiresAt: '2099-01-01T00:00:00.000Z',
    });
    return buildId;
  }

  /** The claim `buildId` of `from` went on as `toBuildId`, claimed in `to` (koji's rhpkg flow). */
  move(from: string, buildId: string, to: string, toBuildId: string, distroHash: string, at?: string): void {
    this.append(
      from,
      'BuildMoved',
      {
        buildId,
        toStreamId: to,
        toBuildId,
        distroHash,
        dtDistro: 1_700_000_000,
        extendedHash: null,
        dtExtended: null,
        cause: 'rhpkg commit',
      },
      at,
    );
  }

  start(streamId: string, buildId: string, dtBuild: number): void {
    this.append(streamId, 'BuildStarted', { buildId, dtBuild, workerId: 1, driver: 'rpmbuild' });
  }

  finish(streamId: string, buildId: string, status: BuildStatus, at?: string, failures = 0): void {
    const repoDir = `${streamId.slice(6)}/${buildId}`;
    if (status === 'SUCCESS') {
      this.append(
        streamId,
        'BuildSucceeded',
        { buildId, artifacts: [`repos/${repoDir}/x-1-1.src.rpm`], nvr: `x-1-${buildId}`, repoDir, notes: 'OK' },
        at,
      );
      this.append(streamId, 'RepoPublished', { buildId, repoDir, failures, packages: [], withRepodata: true }, at);
    } else if (status === 'FAILED') {
      this.append(streamId, 'BuildFailed', { buildId, repoDir, notes: 'rpmbuild failed' }, at);
    } else {
      this.append(
        streamId,
        'BuildRetryScheduled',
        { buildId, repoDir, notes: 'mirror down', matchedError: 'Cannot download', retries: 1, maxRetries: 3 },
        at,
      );
    }
  }

  /** Discovery (first time), claim, start and result: one DLRN `commits` row. */
  build(
    pkg: string,
    commitHash: string,
    status: BuildStatus,
    options: BuildOptions = {},
  ): { streamId: string; buildId: string } {
    const streamId = this.discover(pkg, commitHash, options);
    const buildId = this.claim(streamId, options.builderId);
    // By default a build starts when the log's clock says, like the builder's dt_build.
    this.start(streamId, buildId, options.dtBuild ?? BASE_TIME / 1000 + (this.events.length + 1) * 60);
    this.finish(streamId, buildId, status, options.finishedAt);
    return { streamId, buildId };
  }

  recheck(streamId: string, buildId: string, previousStatus: 'SUCCESS' | 'FAILED' = 'FAILED'): void {
    this.append(streamId, 'BuildRechecked', { buildId, previousStatus, forced: previousStatus === 'SUCCESS' });
  }
}
