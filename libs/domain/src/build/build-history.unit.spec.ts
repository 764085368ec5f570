import { describe, expect, it } from 'vitest';
import { computeSnapshot, publicationDecision } from '../repo/snapshot.js';
import { BuildHistory } from './build-history.js';
import { commitData } from '../../../../test/support/events.js';
import { HistoryWriter } from '../../../../test/support/build-history.fixtures.js';

describe('build history (DLRN commits-table queries)', () => {
  describe('when a package has SUCCESS, then FAILED, then RETRY', () => {
    const h = new HistoryWriter();
    h.build('nova', 'c1', 'SUCCESS');
    h.build('nova', 'c2', 'FAILED');
    h.build('nova', 'c3', 'RETRY');

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
    const h = new HistoryWriter();
    h.build('nova', 'c1', 'SUCCESS', { failures: 0 });
    h.build('nova', 'c9', 'FAILED');
    const goodStep = h.build('nova', 'c4', 'SUCCESS', { failures: 0, purpose: step(1), dtCommit: 5 });
    h.build('nova', 'c6', 'FAILED', { purpose: step(2), dtCommit: 6 });

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
    const h = new HistoryWriter();
    h.build('nova', 'n1', 'SUCCESS', { failures: 1 });
    h.build('glance', 'g1', 'SUCCESS', { failures: 0 });
    h.build('glance', 'g2', 'RETRY');
    const packages = ['glance', 'nova'].map((name) => ({ name, upstream: null, distgit: null, component: null }));
    const snapshot = computeSnapshot({
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
      expect(snapshot.failures).toBe(1);
      expect(publicationDecision({ failures: snapshot.failures, publicationFailed: false, devMode: false })).toEqual({
        moveCurrent: true,
        moveConsistent: false,
        consistentVote: false,
      });
    });

    it('leaves consistent on the last build whose snapshot had no failing package', () => {
      h.build('nova', 'n2', 'SUCCESS', { failures: snapshot.failures });
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

  it('ignores an event it has already applied (replay after a restart)', () => {
    const h = new HistoryWriter();
    h.build('nova', 'c1', 'SUCCESS');
    const rows = h.history.allRows().length;
    h.history.apply({ streamId: 'build-nova@c1_d1', position: 1, type: 'BuildSucceeded', data: {} });
    expect(h.history.allRows()).toHaveLength(rows);
  });
});
