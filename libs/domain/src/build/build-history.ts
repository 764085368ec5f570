import type { BuiltIndex, LastProcessed } from '../package/discovery.js';
import type { FailureNotified, HistoryRewritten } from '../package/package.events.js';
import type { PackageHistory, SnapshotBuild } from '../repo/snapshot.js';
import type { RecordedEvent } from '../shared/event.js';
import { isBisectionStep, type BuildEvent, type BuildType, type CommitDiscovered } from './build.events.js';
import type { BuildStatus } from './build.state.js';

/** One finished build attempt: DLRN's `commits` row. `id` is its place in processing order. */
export interface BuildRow {
  readonly id: number;
  readonly buildId: string;
  readonly streamId: string;
  readonly commit: CommitDiscovered['data'];
  readonly dtBuild: number;
  readonly status: BuildStatus;
  readonly artifacts: readonly string[];
  readonly nvr: string | null;
  readonly notes: string;
  readonly repoDir: string;
  /** Rechecked rows no longer count (DLRN deletes them); kept for the record. */
  rechecked: boolean;
  purged: boolean;
  /** For successes: how many packages were failing in the published snapshot. */
  failures: number | null;
}

export interface PendingBuild {
  readonly streamId: string;
  readonly commit: CommitDiscovered['data'];
  /** Set while a builder holds a claim. */
  readonly claim: { readonly buildId: string; readonly builderId: string; readonly leaseExpiresAt: string } | null;
}

type Payload = Pick<RecordedEvent, 'streamId' | 'position' | 'type' | 'data'>;

const tripleKey = (type: BuildType, commitHash: string, distroHash: string, ext: string | null): string =>
  `${type}\u0000${commitHash}\u0000${distroHash}\u0000${ext ?? '\u0001'}`;
const timeKey = (type: BuildType, dtCommit: number, distroHash: string, ext: string | null): string =>
  `${type}\u0000${dtCommit}\u0000${distroHash}\u0000${ext ?? '\u0001'}`;

/**
 * What the build loop must know of past builds, folded from the build and package streams:
 * DLRN's queries over the `commits` and `projects` tables (last processed commit, last success,
 * already-built triples, last mail) answered from memory. Deterministic, no I/O: the builder
 * feeds it the log from its last position before each pass.
 */
export class BuildHistory implements BuiltIndex {
  private readonly rows: BuildRow[] = [];
  private readonly byPackage = new Map<string, BuildRow[]>();
  private readonly discovered = new Map<string, CommitDiscovered['data']>();
  private readonly pending = new Map<string, PendingBuild>();
  private readonly starts = new Map<string, number>();
  private readonly counted = new Map<string, number>();
  private readonly countedAt = new Map<string, number>();
  private readonly lastMail = new Map<string, number>();
  private readonly rewrites = new Set<string>();
  private readonly rowsByBuildId = new Map<string, BuildRow>();
  private readonly lastByStream = new Map<string, BuildRow>();
  private position = 0;

  /** Global position of the last event applied: where to resume reading. */
  get checkpoint(): number {
    return this.position;
  }

  apply(event: Payload): void {
    if (event.position <= this.position) return;
    this.position = event.position;
    const e = event as Payload & (BuildEvent | FailureNotified | HistoryRewritten);
    switch (e.type) {
      case 'CommitDiscovered':
        this.discovered.set(event.streamId, e.data);
        this.pending.set(event.streamId, { streamId: event.streamId, commit: e.data, claim: null });
        return;
      case 'BuildClaimed': {
        const commit = this.discovered.get(event.streamId);
        if (commit) this.pending.set(event.streamId, { streamId: event.streamId, commit, claim: e.data });
        return;
      }
      case 'BuildAbandoned': {
        const commit = this.discovered.get(event.streamId);
        if (commit) this.pending.set(event.streamId, { streamId: event.streamId, commit, claim: null });
        return;
      }
      case 'BuildMoved':
        // Its build goes on in the new triple's stream, whose claim and result follow.
        this.pending.delete(event.streamId);
        return;
      case 'BuildStarted':
        this.starts.set(e.data.buildId, e.data.dtBuild);
        return;
      case 'BuildSucceeded':
        this.finish(event, e.data.buildId, 'SUCCESS', e.data.notes, e.data.repoDir, e.data.artifacts, e.data.nvr);
        return;
      case 'BuildFailed':
        this.finish(event, e.data.buildId, 'FAILED', e.data.notes, e.data.repoDir, [], null);
        return;
      case 'BuildRetryScheduled':
        this.finish(event, e.data.buildId, 'RETRY', e.data.notes, e.data.repoDir, [], null);
        return;
      case 'RepoPublished': {
        const row = this.rowsByBuildId.get(e.data.buildId);
        if (row) row.failures = e.data.failures;
        return;
      }
      case 'BuildRechecked': {
        const row = this.rowsByBuildId.get(e.data.buildId);
        if (row && !row.rechecked) {
          row.rechecked = true;
          this.uncount(row);
          this.pending.set(event.streamId, { streamId: event.streamId, commit: row.commit, claim: null });
        }
        return;
      }
      case 'BuildPurged': {
        const row = this.rowsByBuildId.get(e.data.buildId);
        if (row) row.purged = true;
        return;
      }
      case 'FailureNotified':
        this.lastMail.set(e.data.package, e.data.sentAt);
        return;
      case 'HistoryRewritten':
        this.rewrites.add(`${e.data.package}\u0000${e.data.knownCommit}`);
        return;
      default:
      // Other events (claims' leases aside) do not change what the build loop asks.
    }
  }

  private finish(
    event: Payload,
    buildId: string,
    status: BuildStatus,
    notes: string,
    repoDir: string,
    artifacts: readonly string[],
    nvr: string | null,
  ): void {
    const commit = this.discovered.get(event.streamId);
    if (!commit) return;
    const row: BuildRow = {
      id: event.position,
      buildId,
      streamId: event.streamId,
      commit,
      dtBuild: this.starts.get(buildId) ?? 0,
      status,
      artifacts,
      nvr,
      notes,
      repoDir,
      rechecked: false,
      purged: false,
      failures: null,
    };
    this.rows.push(row);
    this.rowsByBuildId.set(buildId, row);
    this.lastByStream.set(event.streamId, row);
    // A bisection step is a build of its triple (never built twice) but not one of the package's
    // builds: it is never the last processed, the last success or in a snapshot.
    if (!isBisectionStep(commit)) {
      const list = this.byPackage.get(commit.package) ?? [];
      list.push(row);
      this.byPackage.set(commit.package, list);
    }
    if (status === 'RETRY') {
      this.pending.set(event.streamId, { streamId: event.streamId, commit, claim: null });
    } else {
      this.pending.delete(event.streamId);
      this.count(row, 1);
    }
  }

  private count(row: BuildRow, delta: number): void {
    const { type, commitHash, distroHash, extendedHash, dtCommit } = row.commit;
    const k1 = tripleKey(type, commitHash, distroHash, extendedHash);
    const k2 = timeKey(type, dtCommit, distroHash, extendedHash);
    this.counted.set(k1, (this.counted.get(k1) ?? 0) + delta);
    this.countedAt.set(k2, (this.countedAt.get(k2) ?? 0) + delta);
  }

  private uncount(row: BuildRow): void {
    if (row.status !== 'RETRY') this.count(row, -1);
  }

  hasBuild(key: { type: BuildType; commitHash: string; distroHash: string; extendedHash: string | null }): boolean {
    return (this.counted.get(tripleKey(key.type, key.commitHash, key.distroHash, key.extendedHash)) ?? 0) > 0;
  }

  hasBuildAt(key: { type: BuildType; dtCommit: number; distroHash: string; extendedHash: string | null }): boolean {
    return (this.countedAt.get(timeKey(key.type, key.dtCommit, key.distroHash, key.extendedHash)) ?? 0) > 0;
  }

  /** The newest finished attempt of a build stream (a bisection step's too), rechecked or not. */
  lastRowOfStream(streamId: string): BuildRow | null {
    return this.lastByStream.get(streamId) ?? null;
  }

  /** The row of one build attempt (a bisection step's too), rechecked or not. */
  row(buildId: string): BuildRow | null {
    return this.rowsByBuildId.get(buildId) ?? null;
  }

  /** Rows of a package that count (not rechecked, not bisection steps), in processing order. */
  builds(packageName: string): readonly BuildRow[] {
    return (this.byPackage.get(packageName) ?? []).filter((row) => !row.rechecked);
  }

  /** DLRN `getLastProcessedCommit`: newest non-RETRY row. */
  lastProcessed(packageName: string): BuildRow | null {
    return findLast(this.builds(packageName), (row) => row.status !== 'RETRY');
  }

  /** Newest row of any status, RETRY included (DLRN's `--status` and versions.csv). */
  lastAttempt(packageName: string): BuildRow | null {
    return findLast(this.builds(packageName), () => true);
  }

  /** DLRN `getLastBuiltCommit(branch)`: newest non-RETRY row on that branch, by dt_build then id. */
  lastBuiltOnBranch(packageName: string, branch: string): LastProcessed | null {
    let best: BuildRow | null = null;
    for (const row of this.builds(packageName)) {
      if (row.status === 'RETRY' || row.commit.commitBranch !== branch) continue;
      if (best === null || row.dtBuild > best.dtBuild || (row.dtBuild === best.dtBuild && row.id > best.id)) best = row;
    }
    return best && { dtCommit: best.commit.dtCommit, commitBranch: best.commit.commitBranch };
  }

  /** What the snapshot of a new repository needs of another package. */
  packageHistory(packageName: string): PackageHistory {
    const rows = this.builds(packageName);
    const success = findLast(rows, (row) => row.status === 'SUCCESS');
    const last = findLast(rows, () => true);
    return { lastSuccess: success && snapshotBuild(success), lastProcessed: last && snapshotBuild(last) };
  }

  /** Epoch seconds of the last failure mail of a package (DLRN `projects.last_email`). */
  lastMailAt(packageName: string): number | null {
    return this.lastMail.get(packageName) ?? null;
  }

  /** Whether a force-push that made `knownCommit` unreachable was recorded already. */
  wasRewritten(packageName: string, knownCommit: string): boolean {
    return this.rewrites.has(`${packageName}\u0000${knownCommit}`);
  }

  /** Discovered commits not built yet (or to build again), and the claims in progress. */
  pendingBuilds(): PendingBuild[] {
    return [...this.pending.values()];
  }

  /**
   * The newest successful build whose snapshot had no failing package (what `consistent`
   * shows), among those `eligible` accepts.
   */
  lastConsistent(component: string | null = null, eligible: (row: BuildRow) => boolean = () => true): BuildRow | null {
    return findLast(
      this.rows,
      (row) =>
        row.status === 'SUCCESS' &&
        !row.rechecked &&
        !isBisectionStep(row.commit) &&
        row.failures === 0 &&
        row.commit.component === component &&
        eligible(row),
    );
  }

  /** The newest successful build (what `current` shows); bisection steps never are. */
  lastSuccess(component: string | null = null): BuildRow | null {
    return findLast(
      this.rows,
      (row) =>
        row.status === 'SUCCESS' &&
        !row.rechecked &&
        !isBisectionStep(row.commit) &&
        row.commit.component === component,
    );
  }

  allRows(): readonly BuildRow[] {
    return this.rows;
  }
}

function snapshotBuild(row: BuildRow): SnapshotBuild {
  return {
    commitHash: row.commit.commitHash,
    distroHash: row.commit.distroHash,
    extendedHash: row.commit.extendedHash,
    status: row.status,
    dtBuild: row.dtBuild,
    artifacts: row.artifacts,
    nvr: row.nvr,
  };
}

function findLast<T>(items: readonly T[], predicate: (item: T) => boolean): T | null {
  for (let i = items.length - 1; i >= 0; i--) if (predicate(items[i]!)) return items[i]!;
  return null;
}
