import { describe, expect, it } from 'vitest';
import { packageStatusProjection } from './package-status.projection.js';
import { EventLog, given, rowsOf } from '../../../../test/support/projection-spec.js';

const statusOf = (log: EventLog, pkg = 'nova') => given(log.events).then(packageStatusProjection).get(pkg);

describe('package_status projection (DLRN status report)', () => {
  describe('when the last build succeeded', () => {
    const log = new EventLog();
    log.build('nova', 'c1', 'FAILED', { dtBuild: 100 });
    const { buildId } = log.build('nova', 'c2', 'SUCCESS', { dtBuild: 200, component: 'compute' });

    it('reports SUCCESS with the last success and no failure after it', () => {
      expect(statusOf(log)).toMatchObject({
        status: 'SUCCESS',
        lastStatus: 'SUCCESS',
        component: 'compute',
        lastBuild: { buildId, commitHash: 'c2', dtBuild: 200, nvr: `x-1-${buildId}` },
        lastSuccess: { buildId, dtBuild: 200 },
        firstFailure: null,
        failuresSinceSuccess: 0,
      });
    });

    it('gives the same document when the events are replayed', () => {
      expect(given(log.events).replayedTwice(packageStatusProjection)).toEqual(
        given(log.events).then(packageStatusProjection),
      );
    });
  });

  describe('when builds failed after the last success', () => {
    const log = new EventLog();
    log.build('nova', 'c1', 'SUCCESS', { dtBuild: 100 });
    const first = log.build('nova', 'c2', 'FAILED', { dtBuild: 200 });
    log.build('nova', 'c3', 'FAILED', { dtBuild: 300 });

    it('reports the oldest failure after the last success as the first failure', () => {
      expect(statusOf(log)).toMatchObject({
        status: 'FAILED',
        lastBuild: { commitHash: 'c3' },
        lastSuccess: { commitHash: 'c1', dtBuild: 100 },
        firstFailure: { buildId: first.buildId, commitHash: 'c2', dtBuild: 200 },
        failuresSinceSuccess: 2,
      });
    });

    it('stores the status columns', () => {
      const rows = rowsOf(packageStatusProjection, given(log.events).then(packageStatusProjection));
      expect(rows.get('nova')).toEqual({
        package: 'nova',
        status: 'FAILED',
        last_status: 'FAILED',
        last_success_dt_build: 100,
        first_failure_dt_build: 200,
        failures_since_success: 2,
        component: null,
      });
    });

    it('gives the same document when the events are replayed', () => {
      expect(given(log.events).replayedTwice(packageStatusProjection)).toEqual(
        given(log.events).then(packageStatusProjection),
      );
    });
  });

  describe('when the package never succeeded', () => {
    it('reports its oldest failure as the first failure, and no last success', () => {
      const log = new EventLog();
      log.build('nova', 'c1', 'FAILED', { dtBuild: 100 });
      log.build('nova', 'c2', 'FAILED', { dtBuild: 200 });
      expect(statusOf(log)).toMatchObject({
        lastSuccess: null,
        firstFailure: { commitHash: 'c1' },
        failuresSinceSuccess: 2,
      });
    });
  });

  describe('when a RETRY follows a failure', () => {
    it('shows RETRY as the last status but neither counts it nor takes it as first failure', () => {
      const log = new EventLog();
      log.build('nova', 'c1', 'SUCCESS', { dtBuild: 100 });
      log.build('nova', 'c2', 'FAILED', { dtBuild: 200 });
      log.build('nova', 'c3', 'RETRY', { dtBuild: 300 });
      expect(statusOf(log)).toMatchObject({
        status: 'RETRY',
        lastStatus: 'FAILED',
        lastBuild: { commitHash: 'c3', status: 'RETRY' },
        firstFailure: { commitHash: 'c2' },
        failuresSinceSuccess: 1,
      });
    });
  });

  describe('when only a RETRY follows the last success', () => {
    it('shows RETRY with no first failure', () => {
      const log = new EventLog();
      log.build('nova', 'c1', 'SUCCESS', { dtBuild: 100 });
      log.build('nova', 'c2', 'RETRY', { dtBuild: 200 });
      expect(statusOf(log)).toMatchObject({ status: 'RETRY', lastStatus: 'SUCCESS', firstFailure: null });
    });
  });

  describe('when a failure started after the last success but finished before it', () => {
    it('counts it as after the success, by dt_build as DLRN does', () => {
      const log = new EventLog();
      const success = log.discover('nova', 'c1');
      const failure = log.discover('nova', 'c2');
      const s = log.claim(success);
      log.start(success, s, 200);
      const f = log.claim(failure, 'builder-2');
      log.start(failure, f, 300);
      log.finish(failure, f, 'FAILED');
      log.finish(success, s, 'SUCCESS');
      expect(statusOf(log)).toMatchObject({
        status: 'SUCCESS',
        lastSuccess: { buildId: s },
        firstFailure: { buildId: f },
        failuresSinceSuccess: 1,
      });
    });
  });

  describe('when the last failure was rechecked', () => {
    it('forgets it: the previous failure is the last build and the count drops', () => {
      const log = new EventLog();
      log.build('nova', 'c1', 'SUCCESS', { dtBuild: 100 });
      log.build('nova', 'c2', 'FAILED', { dtBuild: 200 });
      const last = log.build('nova', 'c3', 'FAILED', { dtBuild: 300 });
      log.recheck(last.streamId, last.buildId);
      expect(statusOf(log)).toMatchObject({
        status: 'FAILED',
        lastBuild: { commitHash: 'c2' },
        firstFailure: { commitHash: 'c2' },
        failuresSinceSuccess: 1,
      });
    });

    it('is back to SUCCESS when the only failure after the success was rechecked', () => {
      const log = new EventLog();
      log.build('nova', 'c1', 'SUCCESS', { dtBuild: 100 });
      const failed = log.build('nova', 'c2', 'FAILED', { dtBuild: 200 });
      log.recheck(failed.streamId, failed.buildId);
      expect(statusOf(log)).toMatchObject({ status: 'SUCCESS', firstFailure: null, failuresSinceSuccess: 0 });
      expect(given(log.events).replayedTwice(packageStatusProjection)).toEqual(
        given(log.events).then(packageStatusProjection),
      );
    });
  });

  describe('when the last success was force-rechecked', () => {
    it('falls back to the success before it, with the failures in between', () => {
      const log = new EventLog();
      log.build('nova', 'c1', 'SUCCESS', { dtBuild: 100 });
      log.build('nova', 'c2', 'FAILED', { dtBuild: 200 });
      const success = log.build('nova', 'c3', 'SUCCESS', { dtBuild: 300 });
      log.recheck(success.streamId, success.buildId, 'SUCCESS');
      expect(statusOf(log)).toMatchObject({
        status: 'FAILED',
        lastSuccess: { commitHash: 'c1' },
        firstFailure: { commitHash: 'c2' },
        failuresSinceSuccess: 1,
      });
    });
  });

  describe('when a package keeps failing for a long time', () => {
    const longRun = () => {
      const log = new EventLog();
      log.build('nova', 'c0', 'SUCCESS', { dtBuild: 100 });
      const builds = Array.from({ length: 130 }, (_, i) =>
        log.build('nova', `c${i + 1}`, 'FAILED', { dtBuild: 200 + i }),
      );
      return { log, last: builds.at(-1)! };
    };

    it('stays bounded yet counts every failure and keeps the first one', () => {
      const doc = statusOf(longRun().log)!;
      expect(doc.recent.length).toBeLessThanOrEqual(101);
      expect(doc.failuresSinceSuccess).toBe(130);
      expect(doc.firstFailure?.commitHash).toBe('c1');
    });

    it('still forgets a rechecked newest failure', () => {
      const { log, last } = longRun();
      log.recheck(last.streamId, last.buildId);
      const doc = statusOf(log)!;
      expect(doc.failuresSinceSuccess).toBe(129);
      expect(doc.lastBuild?.commitHash).toBe('c129');
    });

    it('folds a run that a success ended as it ran, however the events are batched', () => {
      const { log } = longRun();
      log.build('nova', 'ok1', 'SUCCESS', { dtBuild: 400 });
      const more = Array.from({ length: 120 }, (_, i) => log.build('nova', `d${i}`, 'FAILED', { dtBuild: 500 + i }));
      log.recheck(more.at(-1)!.streamId, more.at(-1)!.buildId);
      // statusOf folds one event at a time and checks evolveBatch over all of them at once.
      const doc = statusOf(log)!;
      expect(doc.recent.length).toBeLessThanOrEqual(1 + 101 + 1 + 101);
      expect(doc.recent.filter((entry) => entry.status === 'OMITTED')).toHaveLength(2);
      expect(doc.failuresSinceSuccess).toBe(119);
      expect(doc.lastSuccess?.commitHash).toBe('ok1');
    });

    it('gives the same document when the events are replayed', () => {
      const { log } = longRun();
      expect(given(log.events).replayedTwice(packageStatusProjection)).toEqual(
        given(log.events).then(packageStatusProjection),
      );
    });
  });

  describe('when failure mails were sent and the package was skipped', () => {
    it('keeps the last mail time and the skip reason until a later discovery', () => {
      const log = new EventLog();
      const { buildId } = log.build('nova', 'c1', 'FAILED');
      log.append('package-nova', 'FailureNotified', {
        package: 'nova',
        buildId,
        recipients: ['a@b'],
        subject: 's',
        sentAt: 1_710_000_999,
      });
      log.append('package-nova', 'PackageSkipped', { package: 'nova', reason: 'git fetch failed' });
      expect(statusOf(log)).toMatchObject({ lastMailAt: 1_710_000_999, skipped: { reason: 'git fetch failed' } });
      log.discover('nova', 'c2');
      expect(statusOf(log)).toMatchObject({ lastMailAt: 1_710_000_999, skipped: null });
    });
  });

  describe('when a package has commits discovered but no finished build', () => {
    it('has no document (NO_BUILD), or one without status once skipped or started', () => {
      const log = new EventLog();
      const streamId = log.discover('nova', 'c1');
      expect(statusOf(log)).toBeUndefined();
      const buildId = log.claim(streamId);
      log.start(streamId, buildId, 500);
      log.append('package-glance', 'PackageSkipped', { package: 'glance', reason: 'gone' });
      expect(statusOf(log)).toMatchObject({ status: null, started: { [buildId]: 500 } });
      expect(statusOf(log, 'glance')).toMatchObject({ status: null, skipped: { reason: 'gone' } });
    });
  });

  describe('when a started build was abandoned', () => {
    it('forgets its start time', () => {
      const log = new EventLog();
      const streamId = log.discover('nova', 'c1');
      const buildId = log.claim(streamId);
      log.start(streamId, buildId, 500);
      log.append(streamId, 'BuildAbandoned', { buildId, reason: 'lease_expired' });
      expect(statusOf(log)?.started).toEqual({});
    });
  });
});

describe('package_status projection: edges', () => {
  describe('when a package never succeeded', () => {
    it('stores no last success time, and its first failure time', () => {
      const log = new EventLog();
      log.build('nova', 'c1', 'FAILED', { dtBuild: 100 });
      const rows = rowsOf(packageStatusProjection, given(log.events).then(packageStatusProjection));
      expect(rows.get('nova')).toMatchObject({ last_success_dt_build: null, first_failure_dt_build: 100 });
    });

    it('counts a failure that never recorded its start', () => {
      const log = new EventLog();
      const streamId = log.discover('nova', 'c1');
      const buildId = log.claim(streamId);
      log.finish(streamId, buildId, 'FAILED');
      expect(statusOf(log)).toMatchObject({
        failuresSinceSuccess: 1,
        firstFailure: { buildId, dtBuild: null, nvr: null, artifacts: [] },
      });
    });

    it('counts every failure of a long run, folded ones included', () => {
      const log = new EventLog();
      for (let i = 1; i <= 130; i++) log.build('nova', `c${i}`, 'FAILED', { dtBuild: 100 + i });
      expect(statusOf(log)).toMatchObject({
        lastSuccess: null,
        failuresSinceSuccess: 130,
        firstFailure: { commitHash: 'c1' },
      });
    });
  });

  describe('when the last build succeeded', () => {
    it('stores no first failure time', () => {
      const log = new EventLog();
      log.build('nova', 'c1', 'SUCCESS', { dtBuild: 100 });
      const rows = rowsOf(packageStatusProjection, given(log.events).then(packageStatusProjection));
      expect(rows.get('nova')).toMatchObject({ last_success_dt_build: 100, first_failure_dt_build: null });
    });
  });

  describe('when only a RETRY finished', () => {
    it('has RETRY as status and no last status', () => {
      const log = new EventLog();
      log.build('nova', 'c1', 'RETRY');
      expect(statusOf(log)).toMatchObject({ status: 'RETRY', lastStatus: null, lastSuccess: null });
    });
  });

  describe('when the only build is rechecked', () => {
    it('has no status and no last build again', () => {
      const log = new EventLog();
      const failed = log.build('nova', 'c1', 'FAILED', { component: 'compute' });
      log.recheck(failed.streamId, failed.buildId);
      expect(statusOf(log)).toMatchObject({ status: null, lastBuild: null, lastStatus: null, component: 'compute' });
    });
  });

  describe("when the package's last build is of another component", () => {
    it('takes the component of the last build', () => {
      const log = new EventLog();
      log.build('nova', 'c1', 'SUCCESS', { component: 'compute' });
      log.build('nova', 'c2', 'SUCCESS', { component: 'network' });
      expect(statusOf(log)?.component).toBe('network');
    });
  });

  describe('when a build of a component has only started', () => {
    it('already has the component', () => {
      const log = new EventLog();
      const streamId = log.discover('nova', 'c1', { component: 'compute' });
      log.start(streamId, log.claim(streamId), 500);
      expect(statusOf(log)).toMatchObject({ status: null, component: 'compute' });
    });
  });

  describe('when a failure started at the same second as the last success', () => {
    it('does not count it as after the success', () => {
      const log = new EventLog();
      log.build('nova', 'c1', 'SUCCESS', { dtBuild: 200 });
      log.build('nova', 'c2', 'FAILED', { dtBuild: 200 });
      expect(statusOf(log)).toMatchObject({ firstFailure: null, failuresSinceSuccess: 0 });
    });
  });

  describe('when a started build moved to another stream', () => {
    it('forgets its start time', () => {
      const log = new EventLog();
      const from = log.discover('nova', 'c1');
      const buildId = log.claim(from);
      log.start(from, buildId, 500);
      const to = log.discover('nova', 'c1', { distroHash: 'd2' });
      log.move(from, buildId, to, 'b9', 'd2');
      expect(statusOf(log)?.started).toEqual({});
    });
  });

  describe('when a build event names a stream never discovered', () => {
    it('makes no document', () => {
      const log = new EventLog();
      log.start('build-nova@c1_d1', 'b1', 500);
      log.append('build-nova@c1_d1', 'BuildFailed', { buildId: 'b1', repoDir: 'x', notes: 'boom' });
      expect(given(log.events).then(packageStatusProjection).size).toBe(0);
    });
  });

  describe('when a package is skipped', () => {
    it('keeps the reason, when and in which pass', () => {
      const log = new EventLog();
      log.append('package-nova', 'PackageSkipped', { package: 'nova', reason: 'gone' }, '2024-03-02T10:00:00.000Z');
      expect(statusOf(log)?.skipped).toEqual({
        reason: 'gone',
        occurredAt: '2024-03-02T10:00:00.000Z',
        correlationId: 'pass-1',
      });
    });

    it('clears the skip when a commit is then discovered, before any build', () => {
      const log = new EventLog();
      log.append('package-nova', 'PackageSkipped', { package: 'nova', reason: 'gone' });
      log.discover('nova', 'c1');
      expect(statusOf(log)).toMatchObject({ status: null, skipped: null });
    });
  });

  describe('when more than three successes are kept', () => {
    it('keeps results from the third last success only, and says older ones exist', () => {
      const log = new EventLog();
      log.build('nova', 'c1', 'FAILED');
      for (const commit of ['c2', 'c3', 'c4', 'c5']) log.build('nova', commit, 'SUCCESS');
      const doc = statusOf(log)!;
      expect(doc.recent.map((entry) => ('commitHash' in entry ? entry.commitHash : entry.status))).toEqual([
        'c3',
        'c4',
        'c5',
      ]);
      expect(doc.truncated).toBe(true);
    });

    it('says nothing was left out while exactly three successes are all there is', () => {
      const log = new EventLog();
      for (const commit of ['c1', 'c2', 'c3']) log.build('nova', commit, 'SUCCESS');
      expect(statusOf(log)).toMatchObject({ truncated: false });
      expect(statusOf(log)!.recent).toHaveLength(3);
    });
  });

  describe('when a failing run reaches its bound', () => {
    const run = (failures: number) => {
      const log = new EventLog();
      log.build('nova', 'c0', 'SUCCESS', { dtBuild: 100 });
      for (let i = 1; i <= failures; i++) log.build('nova', `c${i}`, 'FAILED', { dtBuild: 200 + i });
      return log;
    };
    const omitted = (log: EventLog) => statusOf(log)!.recent.filter((entry) => entry.status === 'OMITTED');

    it('keeps all of a run of 100 results', () => {
      expect(omitted(run(100))).toEqual([]);
      expect(statusOf(run(100))!.recent).toHaveLength(101);
    });

    it('folds the middle of a longer run into one entry that ends at the last result it replaces', () => {
      const log = run(130);
      // 1 success, c1..c50, then the fold, then the newest 49 (c82..c130).
      const lastFolded = log.events.find(
        (event) => event.type === 'BuildFailed' && event.streamId === 'build-nova@c81_d1',
      )!;
      expect(omitted(log)).toEqual([{ status: 'OMITTED', failed: 31, position: lastFolded.position }]);
      expect(statusOf(log)!.recent).toHaveLength(101);
    });

    it('counts only the failures of a run that also holds retries', () => {
      const log = run(60);
      for (let i = 1; i <= 60; i++) log.build('nova', `r${i}`, 'RETRY', { dtBuild: 300 + i });
      for (let i = 1; i <= 10; i++) log.build('nova', `f${i}`, 'FAILED', { dtBuild: 400 + i });
      expect(statusOf(log)).toMatchObject({ failuresSinceSuccess: 70, status: 'FAILED', lastStatus: 'FAILED' });
    });
  });

  describe('when a build of the package fails while a bisection runs', () => {
    it('keeps the bisection', () => {
      const log = new EventLog();
      log.build('nova', 'c1', 'SUCCESS');
      log.build('nova', 'c4', 'FAILED');
      log.append('bisection-nova@c1_c4', 'BisectionStarted', {
        bisectionId: 'bis-1',
        package: 'nova',
        good: { commitHash: 'c1', distroHash: 'd1', extendedHash: null, buildId: 'b1' },
        bad: { commitHash: 'c4', distroHash: 'd1', extendedHash: null, buildId: 'b2' },
        candidates: ['c2', 'c3', 'c4'],
        trigger: 'auto',
      });
      log.build('nova', 'c5', 'FAILED');
      expect(statusOf(log)?.bisection).toMatchObject({ bisectionId: 'bis-1', state: 'running' });
    });
  });
});

describe('package_status projection: bisection (issue 20)', () => {
  /** nova: good at c1, FAILED at c4 (c2, c3 never built), and a bisection of c1..c4. */
  function broken(): { log: EventLog; bisectionId: string } {
    const log = new EventLog();
    log.build('nova', 'c1', 'SUCCESS');
    const bad = log.build('nova', 'c4', 'FAILED');
    const bisectionId = 'bis-1';
    log.append('bisection-nova@c1_c4', 'BisectionStarted', {
      bisectionId,
      package: 'nova',
      good: { commitHash: 'c1', distroHash: 'd1', extendedHash: null, buildId: 'b1' },
      bad: { commitHash: 'c4', distroHash: 'd1', extendedHash: null, buildId: bad.buildId },
      candidates: ['c2', 'c3', 'c4'],
      trigger: 'auto',
    });
    return { log, bisectionId };
  }

  /** A bisection step: a build whose discovery carries the bisection purpose. */
  function step(log: EventLog, commitHash: string, status: 'SUCCESS' | 'FAILED', n: number): string {
    const streamId = `build-nova@${commitHash}_d1`;
    const discovered = log.events.length;
    log.discover('nova', commitHash);
    const event = log.events[discovered]!;
    log.events[discovered] = {
      ...event,
      data: { ...event.data, purpose: { kind: 'bisection', bisectionId: 'bis-1' } },
    };
    const buildId = log.claim(streamId);
    log.start(streamId, buildId, 1_710_000_000 + n);
    log.finish(streamId, buildId, status);
    log.append('bisection-nova@c1_c4', 'BisectionStepBuilt', {
      bisectionId: 'bis-1',
      package: 'nova',
      commitHash,
      buildId,
      step: n,
      status,
      verdict: status === 'SUCCESS' ? 'good' : 'bad',
    });
    return buildId;
  }

  describe('when a bisection is running', () => {
    it('shows it running, and its steps leave the status alone', () => {
      const { log } = broken();
      const before = statusOf(log)!;
      expect(before.bisection).toMatchObject({
        bisectionId: 'bis-1',
        state: 'running',
        goodCommitHash: 'c1',
        badCommitHash: 'c4',
        candidates: 3,
        steps: 0,
        culprit: null,
      });
      step(log, 'c3', 'SUCCESS', 1);
      const after = statusOf(log)!;
      expect(after).toMatchObject({
        status: 'FAILED',
        lastBuild: { commitHash: 'c4' },
        lastSuccess: { commitHash: 'c1' },
      });
      expect(after.firstFailure).toEqual(before.firstFailure);
      expect(after.bisection).toMatchObject({ state: 'running', steps: 1 });
    });
  });

  describe('when the culprit is identified', () => {
    const { log, bisectionId } = broken();
    const buildId = step(log, 'c3', 'FAILED', 1);
    log.append('bisection-nova@c1_c4', 'CulpritIdentified', {
      bisectionId,
      package: 'nova',
      commitHash: 'c3',
      distroHash: 'd1',
      buildId,
      lastGoodCommitHash: 'c2',
      steps: 2,
    });

    it('names the culprit on the package', () => {
      expect(statusOf(log)!.bisection).toMatchObject({
        state: 'culprit',
        steps: 2,
        culprit: { commitHash: 'c3', distroHash: 'd1', buildId, lastGoodCommitHash: 'c2' },
        reason: null,
      });
    });

    it('gives the same document when the events are replayed', () => {
      expect(given(log.events).replayedTwice(packageStatusProjection)).toEqual(
        given(log.events).then(packageStatusProjection),
      );
    });

    it('forgets it once the package succeeds again', () => {
      const fixed = new EventLog();
      for (const event of log.events) fixed.events.push(event);
      fixed.build('nova', 'c5', 'SUCCESS');
      expect(statusOf(fixed)).toMatchObject({ status: 'SUCCESS', bisection: null });
    });
  });

  describe('when the bisection is inconclusive', () => {
    it('says why, and an outcome of an older bisection changes nothing', () => {
      const { log, bisectionId } = broken();
      log.append('bisection-nova@c1_c4', 'BisectionInconclusive', {
        bisectionId,
        package: 'nova',
        reason: 'different_failure',
        detail: 'c3 failed in %prep, c4 in %build',
        steps: 1,
      });
      log.append('bisection-nova@c0_c4', 'CulpritIdentified', {
        bisectionId: 'bis-0',
        package: 'nova',
        commitHash: 'c2',
        distroHash: 'd1',
        buildId: null,
        lastGoodCommitHash: 'c1',
        steps: 1,
      });
      expect(statusOf(log)!.bisection).toMatchObject({
        state: 'inconclusive',
        reason: 'different_failure',
        detail: 'c3 failed in %prep, c4 in %build',
        culprit: null,
      });
      expect(given(log.events).replayedTwice(packageStatusProjection)).toEqual(
        given(log.events).then(packageStatusProjection),
      );
    });
  });
  describe('when steps are reported out of order, or by another bisection', () => {
    it('keeps the highest step of its own bisection', () => {
      const { log, bisectionId } = broken();
      const stepBuilt = (id: string, n: number) =>
        log.append('bisection-nova@c1_c4', 'BisectionStepBuilt', {
          bisectionId: id,
          package: 'nova',
          commitHash: 'c3',
          buildId: 'bx',
          step: n,
          status: 'FAILED',
          verdict: 'bad',
        });
      stepBuilt(bisectionId, 2);
      stepBuilt(bisectionId, 1);
      stepBuilt('bis-0', 5);
      expect(statusOf(log)!.bisection).toMatchObject({ bisectionId, steps: 2 });
    });
  });

  describe("when outcomes come for a bisection that is no longer the package's", () => {
    it('changes nothing: neither after a success nor for another bisection', () => {
      const { log, bisectionId } = broken();
      log.append('bisection-nova@c0_c4', 'BisectionInconclusive', {
        bisectionId: 'bis-0',
        package: 'nova',
        reason: 'different_failure',
        detail: 'older',
        steps: 1,
      });
      expect(statusOf(log)!.bisection).toMatchObject({ bisectionId, state: 'running', reason: null });
      log.build('nova', 'c5', 'SUCCESS');
      log.append('bisection-nova@c1_c4', 'BisectionStepBuilt', {
        bisectionId,
        package: 'nova',
        commitHash: 'c3',
        buildId: 'bx',
        step: 1,
        status: 'FAILED',
        verdict: 'bad',
      });
      log.append('bisection-nova@c1_c4', 'CulpritIdentified', {
        bisectionId,
        package: 'nova',
        commitHash: 'c3',
        distroHash: 'd1',
        buildId: 'bx',
        lastGoodCommitHash: 'c2',
        steps: 2,
      });
      log.append('bisection-nova@c1_c4', 'BisectionInconclusive', {
        bisectionId,
        package: 'nova',
        reason: 'different_failure',
        detail: 'late',
        steps: 2,
      });
      expect(statusOf(log)).toMatchObject({ status: 'SUCCESS', bisection: null });
    });
  });
});
