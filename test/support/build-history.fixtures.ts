import type { RecordedEvent } from '#domain/shared/event.js';
import { BuildHistory } from '#domain/build/build-history.js';
import type { BuildPurpose, CommitDiscovered } from '#domain/build/build.events.js';

type Ev = Pick<RecordedEvent, 'streamId' | 'position' | 'type' | 'data'>;

/**
 * Builds histories from events for BuildHistory and purge specs: `h.build('nova', 'c1', 'SUCCESS',
 * { dtBuild: 100 })` appends what the build loop would (discovery, claim, start, result).
 */
export class HistoryWriter {
  readonly history = new BuildHistory();
  private position = 0;
  private n = 0;

  private emit(streamId: string, type: string, data: object): void {
    const event: Ev = { streamId, position: ++this.position, type, data };
    this.history.apply(event);
  }

  build(
    pkg: string,
    commitHash: string,
    status: 'SUCCESS' | 'FAILED' | 'RETRY',
    options: {
      dtBuild?: number;
      dtCommit?: number;
      distroHash?: string;
      branch?: string;
      failures?: number;
      /** Default: a commit build. */
      purpose?: BuildPurpose;
    } = {},
  ): string {
    const distroHash = options.distroHash ?? 'd1';
    const streamId = `build-${pkg}@${commitHash}_${distroHash}`;
    const commit: CommitDiscovered['data'] = {
      package: pkg,
      project: pkg,
      type: 'rpm',
      commitHash,
      distroHash,
      extendedHash: null,
      dtCommit: options.dtCommit ?? 10 * ++this.n,
      dtDistro: 1,
      dtExtended: null,
      commitBranch: options.branch ?? 'master',
      component: null,
      upstreamUrl: null,
      distgitUrl: null,
      versionsCsv: null,
      purpose: options.purpose ?? { kind: 'commit' },
    };
    const buildId = `b${++this.n}`;
    this.emit(streamId, 'CommitDiscovered', commit);
    this.emit(streamId, 'BuildClaimed', {
      buildId,
      attempt: 1,
      builderId: 'x',
      leaseExpiresAt: '2099-01-01T00:00:00Z',
    });
    this.emit(streamId, 'BuildStarted', {
      buildId,
      dtBuild: options.dtBuild ?? 1000 + this.n,
      workerId: 1,
      driver: 'rpmbuild',
    });
    const repoDir = `${commitHash}_${distroHash}`;
    if (status === 'SUCCESS') {
      this.emit(streamId, 'BuildSucceeded', {
        buildId,
        artifacts: [`repos/${repoDir}/${pkg}-1-1.src.rpm`],
        nvr: `${pkg}-1-1`,
        repoDir,
        notes: 'OK',
      });
      this.emit(streamId, 'RepoPublished', { buildId, failures: options.failures ?? 0 });
    } else if (status === 'FAILED') {
      this.emit(streamId, 'BuildFailed', { buildId, repoDir, notes: 'boom' });
    } else {
      this.emit(streamId, 'BuildRetryScheduled', {
        buildId,
        repoDir,
        notes: 'mirror',
        matchedError: 'x',
        retries: 1,
        maxRetries: 3,
      });
    }
    return buildId;
  }

  recheck(pkg: string, commitHash: string, buildId: string, distroHash = 'd1'): void {
    this.emit(`build-${pkg}@${commitHash}_${distroHash}`, 'BuildRechecked', {
      buildId,
      previousStatus: 'FAILED',
      forced: false,
    });
  }

  purge(row: { streamId: string; buildId: string; repoDir: string }, directoryRemoved = true): void {
    this.emit(row.streamId, 'BuildPurged', { buildId: row.buildId, repoDir: row.repoDir, directoryRemoved });
  }

  mail(pkg: string, sentAt: number): void {
    this.emit(`package-${pkg}`, 'FailureNotified', { package: pkg, buildId: 'x', recipients: [], subject: '', sentAt });
  }
}
