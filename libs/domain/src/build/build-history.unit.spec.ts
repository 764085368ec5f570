import { beforeAll, describe, expect, it } from 'vitest';
import { computeSnapshot, publicationDecision } from '../repo/snapshot.js';
import { BuildHistory } from './build-history.js';
import { commitData } from '../../../../test/support/events.js';
import { HistoryWriter } from '../../../../test/support/build-history.fixtures.js';

/** A history fed raw events, at positions 1, 2, 3… */
function fed(events: readonly (readonly [streamId: string, type: string, data: object])[]): BuildHistory {
  const history = new BuildHistory();
  events.forEach(([streamId, type, data], index) => history.apply({ streamId, position: index + 1, type, data }));
  return history;
}

const lease = (buildId: string) => ({
  buildId,
  attempt: 1,
  builderId: 'builder-1',
  leaseExpiresAt: '2099-01-01T00:00:00Z',
});

describe('build history (DLRN commits-table queries)', () => {
  describe('when a package has SUCCESS, then FAILED, then RETRY', () => {
    // Built in beforeAll, not while vitest collects the file: a mutant is active only from then on.
    let h: HistoryWriter;
    beforeAll(() => {
      h = new HistoryWriter();
      h.build('nova', 'c1', 'SUCCESS');
      h.build('nova', 'c2', 'FAILED');
      h.build('nova', 'c3', 'RETRY');
    });

    it('reports the last processed build ignoring RETRY', () => {
      expect(h.history.lastProcessed('nova')?.commit.commitHash).toBe('c2');
    });

    it('reports the last attempt including RETRY (--status, versions.csv)', () => {
      expect(h.history.lastAttempt('nova')?.status).toBe('RETRY');
    });

    it('gives the snapshot the last success and the newest row', () => {
      const { lastSuccess, lastProcessed } = h.history.packageHistory('nova');
      expect(lastSuccess?.commitHash).toBe('c1');
      expect(lastProcessed?.status).toBe('RETRY');
    });

    it('knows built triples and timestamps across packages, not RETRY ones', () => {
      expect(h.history.hasBuild({ type: 'rpm', commitHash: 'c1', distroHash: 'd1', extendedHash: null })).toBe(true);
      expect(h.history.hasBuild({ type: 'rpm', commitHash: 'c3', distroHash: 'd1', extendedHash: null })).toBe(false);
      const dt = h.history.lastProcessed('nova')!.commit.dtCommit;
      expect(h.history.hasBuildAt({ type: 'rpm', dtCommit: dt, distroHash: 'd1', extendedHash: null })).toBe(true);
    });

    it('keeps the RETRY commit pending for the next pass', () => {
      expect(h.history.pendingBuilds().map((p) => p.commit.commitHash)).toEqual(['c3']);
    });
  });

  describe('when a build moved to the dist-git commit it made (rhpkg) and succeeded there', () => {
    const history = new BuildHistory();
    const commit = (distroHash: string) => commitData({ package: 'nova', commitHash: 'c1', distroHash, dtCommit: 10 });
    const claim = (buildId: string) => ({
      buildId,
      attempt: 1,
      builderId: 'x',
      leaseExpiresAt: '2099-01-01T00:00:00Z',
    });
    const events: [string, string, object][] = [
      ['build-nova@c1_d1', 'CommitDiscovered', commit('d1')],
      ['build-nova@c1_d1', 'BuildClaimed', claim('b1')],
      ['build-nova@c1_d2', 'CommitDiscovered', commit('d2')],
      ['build-nova@c1_d2', 'BuildClaimed', claim('b2')],
      [
        'build-nova@c1_d1',
        'BuildMoved',
        { buildId: 'b1', toStreamId: 'build-nova@c1_d2', toBuildId: 'b2', distroHash: 'd2', dtDistro: 2 },
      ],
      [
        'build-nova@c1_d2',
        'BuildSucceeded',
        { buildId: 'b2', artifacts: [], nvr: null, repoDir: 'c1_d2', notes: 'OK' },
      ],
    ];
    events.forEach(([streamId, type, data], index) => history.apply({ streamId, position: index + 1, type, data }));

    it('leaves nothing pending under the old triple', () => {
      expect(history.pendingBuilds()).toEqual([]);
    });

    it('knows the new triple built, and the package built once', () => {
      expect(history.hasBuild({ type: 'rpm', commitHash: 'c1', distroHash: 'd2', extendedHash: null })).toBe(true);
      expect(history.hasBuild({ type: 'rpm', commitHash: 'c1', distroHash: 'd1', extendedHash: null })).toBe(false);
      expect(history.builds('nova').map((row) => [row.buildId, row.status, row.commit.distroHash])).toEqual([
        ['b2', 'SUCCESS', 'd2'],
      ]);
    });
  });

  describe('when bisection steps were built (issue 20)', () => {
    const step = (n: number) => ({ kind: 'bisection' as const, bisectionId: 'bisection-nova@c1_c9', step: n });
    // Built in beforeAll, not while vitest collects the file: a mutant is active only from then on.
    let h: HistoryWriter;
    let goodStep: string;
    beforeAll(() => {
      h = new HistoryWriter();
      h.build('nova', 'c1', 'SUCCESS', { failures: 0 });
      h.build('nova', 'c9', 'FAILED');
      goodStep = h.build('nova', 'c4', 'SUCCESS', { failures: 0, purpose: step(1), dtCommit: 5 });
      h.build('nova', 'c6', 'FAILED', { purpose: step(2), dtCommit: 6 });
    });

    it("are never the package's builds: last processed, last attempt, snapshot, branch", () => {
      expect(h.history.lastProcessed('nova')?.commit.commitHash).toBe('c9');
      expect(h.history.lastAttempt('nova')?.commit.commitHash).toBe('c9');
      expect(h.history.builds('nova').map((row) => row.commit.commitHash)).toEqual(['c1', 'c9']);
      expect(h.history.packageHistory('nova').lastSuccess?.commitHash).toBe('c1');
      expect(h.history.lastBuiltOnBranch('nova', 'master')?.dtCommit).not.toBe(6);
    });

    it('never are what current or consistent show', () => {
      expect(h.history.lastSuccess()?.commit.commitHash).toBe('c1');
      expect(h.history.lastConsistent()?.commit.commitHash).toBe('c1');
    });

    it('are built triples (never built twice) and findable by build id', () => {
      expect(h.history.hasBuild({ type: 'rpm', commitHash: 'c4', distroHash: 'd1', extendedHash: null })).toBe(true);
      expect(h.history.row(goodStep)?.commit.purpose).toEqual(step(1));
      expect(h.history.lastRowOfStream('build-nova@c6_d1')?.status).toBe('FAILED');
      expect(h.history.lastRowOfStream('build-nova@c7_d1')).toBeNull();
      expect(h.history.pendingBuilds()).toEqual([]);
    });
  });

  describe('when the last FAILED build is rechecked', () => {
    it('forgets it: the previous build is the last processed again and the commit is pending', () => {
      const h = new HistoryWriter();
      h.build('nova', 'c1', 'SUCCESS');
      const failed = h.build('nova', 'c2', 'FAILED');
      h.recheck('nova', 'c2', failed);
      expect(h.history.lastProcessed('nova')?.commit.commitHash).toBe('c1');
      expect(h.history.hasBuild({ type: 'rpm', commitHash: 'c2', distroHash: 'd1', extendedHash: null })).toBe(false);
      expect(h.history.pendingBuilds().map((p) => p.commit.commitHash)).toEqual(['c2']);
    });
  });

  describe('when asked for the last build on a branch', () => {
    it('takes the newest by build time, then id, non-RETRY', () => {
      const h = new HistoryWriter();
      h.build('nova', 'c1', 'SUCCESS', { branch: 'stable/x', dtBuild: 500, dtCommit: 11 });
      h.build('nova', 'c2', 'SUCCESS', { branch: 'stable/x', dtBuild: 400, dtCommit: 22 });
      h.build('nova', 'c3', 'RETRY', { branch: 'stable/x', dtBuild: 900, dtCommit: 33 });
      expect(h.history.lastBuiltOnBranch('nova', 'stable/x')).toEqual({ dtCommit: 11, commitBranch: 'stable/x' });
      expect(h.history.lastBuiltOnBranch('nova', 'master')).toBeNull();
    });
  });

  describe('when pointers are derived', () => {
    it('points current at the last success and consistent at the last success with no failing package', () => {
      const h = new HistoryWriter();
      h.build('a', 'c1', 'SUCCESS', { failures: 0 });
      h.build('b', 'c2', 'SUCCESS', { failures: 1 });
      h.build('a', 'c3', 'FAILED');
      expect(h.history.lastSuccess()?.commit.commitHash).toBe('c2');
      expect(h.history.lastConsistent()?.commit.commitHash).toBe('c1');
    });
  });

  describe("when a package's last build is RETRY and another package then succeeds", () => {
    // Given: glance made the repo consistent, then its next commit was scheduled for a retry.
    // Built in beforeAll, not while vitest collects the file: a mutant is active only from then on.
    let h: HistoryWriter;
    beforeAll(() => {
      h = new HistoryWriter();
      h.build('nova', 'n1', 'SUCCESS', { failures: 1 });
      h.build('glance', 'g1', 'SUCCESS', { failures: 0 });
      h.build('glance', 'g2', 'RETRY');
    });
    const packages = ['glance', 'nova'].map((name) => ({ name, upstream: null, distgit: null, component: null }));
    // Computed in the tests, not while collecting them: a mutant that throws in BuildHistory's queries
    // must fail a test (Stryker does not count a file that fails to collect as a failure).
    const snapshotNow = () =>
      computeSnapshot({
        packages,
        built: {
          package: 'nova',
          component: null,
          build: {
            commitHash: 'n2',
            distroHash: 'd1',
            extendedHash: null,
            status: 'SUCCESS',
            dtBuild: 3000,
            artifacts: [],
            nvr: null,
          },
        },
        history: (name) => h.history.packageHistory(name),
        useComponents: false,
      });

    it('counts the retried package as failing, so the new repository is not consistent', () => {
      const snapshot = snapshotNow();
      expect(snapshot.failures).toBe(1);
      expect(publicationDecision({ failures: snapshot.failures, publicationFailed: false, devMode: false })).toEqual({
        moveCurrent: true,
        moveConsistent: false,
        consistentVote: false,
      });
    });

    it('leaves consistent on the last build whose snapshot had no failing package', () => {
      h.build('nova', 'n2', 'SUCCESS', { failures: snapshotNow().failures });
      expect(h.history.lastSuccess()?.commit.commitHash).toBe('n2');
      expect(h.history.lastConsistent()?.commit.commitHash).toBe('g1');
    });
  });

  it('remembers the last failure mail per package', () => {
    const h = new HistoryWriter();
    h.mail('nova', 123);
    expect(h.history.lastMailAt('nova')).toBe(123);
    expect(h.history.lastMailAt('glance')).toBeNull();
  });

  describe('when a discovered commit is claimed', () => {
    const commit = commitData({ package: 'nova', commitHash: 'c1', distroHash: 'd1' });
    const events = [
      ['build-nova@c1_d1', 'CommitDiscovered', commit],
      ['build-nova@c1_d1', 'BuildClaimed', lease('b1')],
    ] as const;

    it('lists it as pending with the claim', () => {
      expect(fed(events).pendingBuilds()).toEqual([{ streamId: 'build-nova@c1_d1', commit, claim: lease('b1') }]);
    });

    it('lists it as pending without a claim once the claim is abandoned', () => {
      const history = fed([...events, ['build-nova@c1_d1', 'BuildAbandoned', { buildId: 'b1' }]]);
      expect(history.pendingBuilds()).toEqual([{ streamId: 'build-nova@c1_d1', commit, claim: null }]);
    });
  });

  describe('when a claimed build is scheduled for a retry', () => {
    it('lists its commit as pending again, without the claim', () => {
      const h = new HistoryWriter();
      h.build('nova', 'c1', 'RETRY');
      expect(h.history.pendingBuilds().map((p) => [p.streamId, p.claim])).toEqual([['build-nova@c1_d1', null]]);
    });
  });

  describe('when claims, abandons and results name a stream never discovered', () => {
    it('ignores them: nothing pending, no row', () => {
      const history = fed([
        ['build-nova@c1_d1', 'BuildClaimed', lease('b1')],
        ['build-nova@c1_d1', 'BuildAbandoned', { buildId: 'b1' }],
        ['build-nova@c1_d1', 'BuildSucceeded', { buildId: 'b1', artifacts: [], nvr: null, repoDir: 'x', notes: 'OK' }],
        ['build-nova@c1_d1', 'BuildFailed', { buildId: 'b1', repoDir: 'x', notes: 'boom' }],
      ]);
      expect(history.pendingBuilds()).toEqual([]);
      expect(history.allRows()).toEqual([]);
    });
  });

  describe('when a publication, a recheck or a purge names an unknown build', () => {
    it('ignores them, and the known build keeps its row', () => {
      const h = new HistoryWriter();
      const built = h.build('nova', 'c1', 'FAILED');
      h.recheck('nova', 'c1', 'nope');
      h.purge({ streamId: 'build-nova@c1_d1', buildId: 'nope', repoDir: 'c1_d1' });
      h.history.apply({
        streamId: 'build-nova@c1_d1',
        position: 100,
        type: 'RepoPublished',
        data: { buildId: 'nope', failures: 0 },
      });
      expect(h.history.allRows().map((row) => [row.buildId, row.rechecked, row.purged, row.failures])).toEqual([
        [built, false, false, null],
      ]);
    });
  });

  describe('when an event comes again at the position last applied', () => {
    it('ignores it and keeps that position as the checkpoint', () => {
      const history = new BuildHistory();
      const mail = (sentAt: number) => ({ package: 'nova', buildId: 'b1', recipients: [], subject: '', sentAt });
      history.apply({ streamId: 'package-nova', position: 7, type: 'FailureNotified', data: mail(123) });
      history.apply({ streamId: 'package-nova', position: 7, type: 'FailureNotified', data: mail(456) });
      expect(history.lastMailAt('nova')).toBe(123);
      expect(history.checkpoint).toBe(7);
    });
  });

  describe("when a force-push made a package's known commit unreachable", () => {
    it('knows it for that package and commit only', () => {
      // Fed inside the test: Stryker counts what runs while vitest collects the file for no test.
      const history = fed([
        [
          'package-nova',
          'HistoryRewritten',
          { package: 'nova', repository: 'source', branch: 'master', knownCommit: 'c1', newHead: 'c9' },
        ],
      ]);
      expect(history.wasRewritten('nova', 'c1')).toBe(true);
      expect(history.wasRewritten('nova', 'c9')).toBe(false);
      expect(history.wasRewritten('glance', 'c1')).toBe(false);
    });
  });

  describe('when a package has a success, then a failure, then a retry', () => {
    // Built in beforeAll, not while vitest collects the file: a mutant is active only from then on.
    let h: HistoryWriter;
    let success: string;
    let failure: string;
    let retry: string;
    beforeAll(() => {
      h = new HistoryWriter();
      success = h.build('nova', 'c1', 'SUCCESS', { dtBuild: 600, failures: 2 });
      failure = h.build('nova', 'c2', 'FAILED', { dtBuild: 700 });
      retry = h.build('nova', 'c3', 'RETRY', { dtBuild: 800 });
    });

    it('keeps each row with its start, result, notes and directory', () => {
      expect(h.history.row(success)).toMatchObject({
        status: 'SUCCESS',
        dtBuild: 600,
        artifacts: ['repos/c1_d1/nova-1-1.src.rpm'],
        nvr: 'nova-1-1',
        notes: 'OK',
        repoDir: 'c1_d1',
        rechecked: false,
        purged: false,
        failures: 2,
      });
      expect(h.history.row(failure)).toMatchObject({
        status: 'FAILED',
        dtBuild: 700,
        artifacts: [],
        nvr: null,
        notes: 'boom',
        repoDir: 'c2_d1',
        failures: null,
      });
      expect(h.history.row(retry)).toMatchObject({ status: 'RETRY', artifacts: [], nvr: null, notes: 'mirror' });
    });

    it('gives the snapshot the success and the retry as they were built', () => {
      expect(h.history.packageHistory('nova')).toEqual({
        lastSuccess: {
          commitHash: 'c1',
          distroHash: 'd1',
          extendedHash: null,
          status: 'SUCCESS',
          dtBuild: 600,
          artifacts: ['repos/c1_d1/nova-1-1.src.rpm'],
          nvr: 'nova-1-1',
        },
        lastProcessed: {
          commitHash: 'c3',
          distroHash: 'd1',
          extendedHash: null,
          status: 'RETRY',
          dtBuild: 800,
          artifacts: [],
          nvr: null,
        },
      });
    });
  });

  describe('when a package was never built', () => {
    // Built in beforeAll, not while vitest collects the file: a mutant is active only from then on.
    let h: HistoryWriter;
    beforeAll(() => {
      h = new HistoryWriter();
      h.build('nova', 'c1', 'SUCCESS');
    });

    it('has no builds, no last processed or attempted row, no snapshot build and no branch build', () => {
      expect(h.history.builds('glance')).toEqual([]);
      expect(h.history.lastProcessed('glance')).toBeNull();
      expect(h.history.lastAttempt('glance')).toBeNull();
      expect(h.history.packageHistory('glance')).toEqual({ lastSuccess: null, lastProcessed: null });
      expect(h.history.lastBuiltOnBranch('glance', 'master')).toBeNull();
      expect(h.history.row('nope')).toBeNull();
    });
  });

  describe('when the same FAILED build is rechecked twice, then built again', () => {
    it('counts the new build: the second recheck changes nothing', () => {
      const h = new HistoryWriter();
      const failed = h.build('nova', 'c2', 'FAILED');
      h.recheck('nova', 'c2', failed);
      h.recheck('nova', 'c2', failed);
      h.build('nova', 'c2', 'FAILED');
      expect(h.history.hasBuild({ type: 'rpm', commitHash: 'c2', distroHash: 'd1', extendedHash: null })).toBe(true);
    });
  });

  describe('when a RETRY attempt is rechecked, then built', () => {
    it('counts the build: the RETRY was never counted, so nothing is taken back', () => {
      const h = new HistoryWriter();
      const retry = h.build('nova', 'c3', 'RETRY');
      h.recheck('nova', 'c3', retry);
      h.build('nova', 'c3', 'SUCCESS');
      expect(h.history.hasBuild({ type: 'rpm', commitHash: 'c3', distroHash: 'd1', extendedHash: null })).toBe(true);
    });
  });

  describe('when a built commit is rechecked', () => {
    it('no longer knows its commit time as built, nor any other time', () => {
      const h = new HistoryWriter();
      const failed = h.build('nova', 'c2', 'FAILED', { dtCommit: 42 });
      h.recheck('nova', 'c2', failed);
      expect(h.history.hasBuildAt({ type: 'rpm', dtCommit: 42, distroHash: 'd1', extendedHash: null })).toBe(false);
      expect(h.history.hasBuildAt({ type: 'rpm', dtCommit: 43, distroHash: 'd1', extendedHash: null })).toBe(false);
    });
  });

  describe('when triples differ only in their extended hash', () => {
    const stream = 'build-nova@c1_d1_e1';
    const history = fed([
      [
        stream,
        'CommitDiscovered',
        commitData({ package: 'nova', commitHash: 'c1', distroHash: 'd1', extendedHash: 'e1', dtCommit: 5 }),
      ],
      [stream, 'BuildFailed', { buildId: 'b1', repoDir: 'c1_d1_e1', notes: 'boom' }],
    ]);
    const key = (extendedHash: string | null) => ({
      type: 'rpm' as const,
      commitHash: 'c1',
      distroHash: 'd1',
      extendedHash,
    });
    const timeKey = (extendedHash: string | null) => ({
      type: 'rpm' as const,
      dtCommit: 5,
      distroHash: 'd1',
      extendedHash,
    });

    it('knows only the built one, by hashes and by commit time', () => {
      expect(history.hasBuild(key('e1'))).toBe(true);
      expect(history.hasBuild(key('e2'))).toBe(false);
      expect(history.hasBuild(key(null))).toBe(false);
      expect(history.hasBuildAt(timeKey('e1'))).toBe(true);
      expect(history.hasBuildAt(timeKey('e2'))).toBe(false);
      expect(history.hasBuildAt(timeKey(null))).toBe(false);
    });
  });

  describe('when a triple without an extended hash was built', () => {
    const stream = 'build-nova@c1_d1';
    const history = fed([
      [stream, 'CommitDiscovered', commitData({ package: 'nova', commitHash: 'c1', distroHash: 'd1', dtCommit: 5 })],
      [stream, 'BuildFailed', { buildId: 'b1', repoDir: 'c1_d1', notes: 'boom' }],
    ]);

    it('does not take an empty extended hash for none', () => {
      expect(history.hasBuild({ type: 'rpm', commitHash: 'c1', distroHash: 'd1', extendedHash: '' })).toBe(false);
      expect(history.hasBuildAt({ type: 'rpm', dtCommit: 5, distroHash: 'd1', extendedHash: '' })).toBe(false);
    });
  });

  describe('when asked for the last build on a branch among later and equal build times', () => {
    it('takes a later build with a newer build time', () => {
      const h = new HistoryWriter();
      h.build('nova', 'c1', 'SUCCESS', { branch: 'stable/x', dtBuild: 400, dtCommit: 11 });
      h.build('nova', 'c2', 'FAILED', { branch: 'stable/x', dtBuild: 500, dtCommit: 22 });
      expect(h.history.lastBuiltOnBranch('nova', 'stable/x')).toEqual({ dtCommit: 22, commitBranch: 'stable/x' });
    });

    it('takes the later build of two with the same build time', () => {
      const h = new HistoryWriter();
      h.build('nova', 'c1', 'SUCCESS', { branch: 'stable/x', dtBuild: 500, dtCommit: 11 });
      h.build('nova', 'c2', 'SUCCESS', { branch: 'stable/x', dtBuild: 500, dtCommit: 22 });
      h.build('nova', 'c3', 'SUCCESS', { branch: 'stable/x', dtBuild: 400, dtCommit: 33 });
      expect(h.history.lastBuiltOnBranch('nova', 'stable/x')).toEqual({ dtCommit: 22, commitBranch: 'stable/x' });
    });
  });

  describe('when the newest success is rechecked (forced)', () => {
    it('shows the previous success as current and consistent', () => {
      const h = new HistoryWriter();
      h.build('nova', 'c1', 'SUCCESS', { failures: 0 });
      const newest = h.build('nova', 'c2', 'SUCCESS', { failures: 0 });
      h.recheck('nova', 'c2', newest);
      expect(h.history.lastSuccess()?.commit.commitHash).toBe('c1');
      expect(h.history.lastConsistent()?.commit.commitHash).toBe('c1');
    });
  });

  describe('when a failed build was given a failure count of 0 (a stray publication)', () => {
    it('is still not consistent', () => {
      const h = new HistoryWriter();
      h.build('nova', 'c1', 'SUCCESS', { failures: 0 });
      const failed = h.build('nova', 'c2', 'FAILED');
      h.history.apply({
        streamId: 'build-nova@c2_d1',
        position: 100,
        type: 'RepoPublished',
        data: { buildId: failed, failures: 0 },
      });
      expect(h.history.lastConsistent()?.commit.commitHash).toBe('c1');
    });
  });

  describe('when builds belong to components', () => {
    const built = (pkg: string, commitHash: string, component: string, failures: number) => {
      const stream = `build-${pkg}@${commitHash}_d1`;
      const buildId = `b-${commitHash}`;
      return [
        [stream, 'CommitDiscovered', commitData({ package: pkg, commitHash, distroHash: 'd1', component })],
        [stream, 'BuildSucceeded', { buildId, artifacts: [], nvr: null, repoDir: `${commitHash}_d1`, notes: 'OK' }],
        [stream, 'RepoPublished', { buildId, failures }],
      ] as const;
    };
    const history = fed([
      ...built('nova', 'c1', 'compute', 0),
      ...built('nova', 'c2', 'compute', 1),
      ...built('neutron', 'c3', 'network', 0),
    ]);

    it("shows each component's own current and consistent builds", () => {
      expect(history.lastSuccess('compute')?.commit.commitHash).toBe('c2');
      expect(history.lastConsistent('compute')?.commit.commitHash).toBe('c1');
      expect(history.lastSuccess('network')?.commit.commitHash).toBe('c3');
    });

    it('shows none for the repository without components', () => {
      expect(history.lastSuccess()).toBeNull();
      expect(history.lastConsistent()).toBeNull();
    });
  });

  describe('when consistent is asked among eligible builds only', () => {
    it('skips the newer consistent build that is not eligible', () => {
      const h = new HistoryWriter();
      h.build('nova', 'c1', 'SUCCESS', { failures: 0 });
      h.build('nova', 'c2', 'SUCCESS', { failures: 0 });
      expect(h.history.lastConsistent(null, (row) => row.commit.commitHash !== 'c2')?.commit.commitHash).toBe('c1');
    });
  });

  it('ignores an event it has already applied (replay after a restart)', () => {
    const h = new HistoryWriter();
    h.build('nova', 'c1', 'SUCCESS');
    const rows = h.history.allRows().length;
    h.history.apply({ streamId: 'build-nova@c1_d1', position: 1, type: 'BuildSucceeded', data: {} });
    expect(h.history.allRows()).toHaveLength(rows);
  });
});
