import { beforeAll, describe, expect, it } from 'vitest';
import { buildsProjection, type BuildDoc } from './builds.projection.js';
import { EventLog, given, rowsOf } from '../../../../test/support/projection-spec.js';

describe('builds projection (DLRN commits table)', () => {
  describe('when a commit was built successfully', () => {
    const log = new EventLog();
    const streamId = log.discover('nova', 'c1', { dtCommit: 1_700_000_100, component: 'compute', extendedHash: 'e1' });
    const buildId = log.claim(streamId, 'builder-7');
    const claimPosition = log.events.length;
    log.start(streamId, buildId, 1_710_000_000);
    log.finish(streamId, buildId, 'SUCCESS', undefined, 3);
    const successPosition = log.events.length - 1;

    it('records the attempt with its commit, build time, result and published snapshot', () => {
      const doc = given(log.events).then(buildsProjection).get(buildId);
      expect(doc).toMatchObject({
        id: claimPosition,
        buildId,
        package: 'nova',
        commitHash: 'c1',
        distroHash: 'd1',
        extendedHash: 'e1',
        dtCommit: 1_700_000_100,
        dtBuild: 1_710_000_000,
        component: 'compute',
        status: 'SUCCESS',
        nvr: `x-1-${buildId}`,
        notes: 'OK',
        failures: 3,
        flags: 0,
        rechecked: false,
        abandoned: false,
        builderId: 'builder-7',
        completedPosition: successPosition,
        lastPosition: log.events.length,
      });
      expect(doc?.artifacts).toHaveLength(1);
    });

    it('stores the DLRN columns', () => {
      const rows = rowsOf(buildsProjection, given(log.events).then(buildsProjection));
      expect(rows.get(buildId)).toMatchObject({
        id: claimPosition,
        package: 'nova',
        status: 'SUCCESS',
        commit_hash: 'c1',
        distro_hash: 'd1',
        extended_hash: 'e1',
        dt_commit: 1_700_000_100,
        dt_build: 1_710_000_000,
        component: 'compute',
        rechecked: 0,
        purged: 0,
        completed_position: successPosition,
      });
    });

    it('gives the same documents when the events are replayed', () => {
      expect(given(log.events).replayedTwice(buildsProjection)).toEqual(given(log.events).then(buildsProjection));
    });
  });

  describe('when a commit was built as a bisection step (issue 20)', () => {
    const purpose = { kind: 'bisection' as const, bisectionId: 'bisection-nova@c1_c9', step: 2 };
    const log = new EventLog();
    const commitBuild = log.build('nova', 'c1', 'SUCCESS');
    const stepBuild = log.build('nova', 'c5', 'FAILED', { purpose });
    // Projected in beforeAll, not while vitest collects the file (a mutant is active only for the tests).
    let docs: Map<string, BuildDoc>;
    beforeAll(() => {
      docs = given(log.events).then(buildsProjection);
    });

    it('is a row of the table with its purpose, beside the commit builds', () => {
      expect(docs.get(stepBuild.buildId)).toMatchObject({ commitHash: 'c5', status: 'FAILED', purpose });
      expect(docs.get(commitBuild.buildId)?.purpose).toEqual({ kind: 'commit' });
    });

    it("stores the purpose's kind in a column DLRN's answers filter on", () => {
      const rows = rowsOf(buildsProjection, docs);
      expect(rows.get(stepBuild.buildId)).toMatchObject({ purpose: 'bisection' });
      expect(rows.get(commitBuild.buildId)).toMatchObject({ purpose: 'commit' });
    });
  });

  describe('when a build is claimed but not finished', () => {
    it('shows it without status, and without build time until it starts', () => {
      const log = new EventLog();
      const streamId = log.discover('nova', 'c1');
      const buildId = log.claim(streamId);
      expect(given(log.events).then(buildsProjection).get(buildId)).toMatchObject({
        status: null,
        dtBuild: null,
        artifacts: [],
        completedPosition: null,
      });
      const [discovered] = log.events;
      expect(buildsProjection.keys(discovered as never, { commit: null })).toEqual([]);
      log.start(streamId, buildId, 1_710_000_500);
      expect(given(log.events).then(buildsProjection).get(buildId)).toMatchObject({
        status: null,
        dtBuild: 1_710_000_500,
      });
    });
  });

  describe('when a claim was abandoned and the commit built again', () => {
    it('keeps the abandoned attempt without result and the new attempt with its own id', () => {
      const log = new EventLog();
      const streamId = log.discover('nova', 'c1');
      const first = log.claim(streamId, 'builder-1');
      log.append(streamId, 'BuildAbandoned', { buildId: first, reason: 'lease_expired' });
      const second = log.claim(streamId, 'builder-2');
      log.start(streamId, second, 1_710_000_000);
      log.finish(streamId, second, 'FAILED');
      const docs = given(log.events).then(buildsProjection);
      expect(docs.get(first)).toMatchObject({ abandoned: true, status: null, attempt: 1 });
      expect(docs.get(second)).toMatchObject({
        abandoned: false,
        status: 'FAILED',
        attempt: 2,
        builderId: 'builder-2',
      });
      expect(docs.get(second)!.id).toBeGreaterThan(docs.get(first)!.id);
    });
  });

  describe('when a build moved to the dist-git commit it made (rhpkg) and succeeded there', () => {
    it('ends the first attempt without result, naming where it went, and records the result on the new triple', () => {
      const log = new EventLog();
      const from = log.discover('nova', 'c1', { distroHash: 'd1' });
      const first = log.claim(from);
      const to = log.discover('nova', 'c1', { distroHash: 'd2' });
      const second = log.claim(to);
      log.move(from, first, to, second, 'd2');
      log.finish(to, second, 'SUCCESS');
      const docs = given(log.events).then(buildsProjection);
      expect(docs.get(first)).toMatchObject({
        abandoned: true,
        status: null,
        distroHash: 'd1',
        notes: `went on as ${to} (rhpkg commit)`,
      });
      expect(docs.get(second)).toMatchObject({
        abandoned: false,
        status: 'SUCCESS',
        distroHash: 'd2',
        commitHash: 'c1',
      });
    });
  });

  describe('when a transient failure was retried and then succeeded', () => {
    it('keeps one RETRY row and one SUCCESS row for the same commit', () => {
      const log = new EventLog();
      const streamId = log.discover('nova', 'c1');
      const retry = log.claim(streamId);
      log.start(streamId, retry, 1_710_000_000);
      log.finish(streamId, retry, 'RETRY');
      const success = log.claim(streamId);
      log.start(streamId, success, 1_710_000_600);
      log.finish(streamId, success, 'SUCCESS');
      const docs = given(log.events).then(buildsProjection);
      expect(docs.get(retry)).toMatchObject({ status: 'RETRY', notes: 'mirror down', commitHash: 'c1' });
      expect(docs.get(success)).toMatchObject({ status: 'SUCCESS', commitHash: 'c1' });
    });
  });

  describe('when the failed build was rechecked', () => {
    it('marks the row rechecked (DLRN deletes it) and keeps its result', () => {
      const log = new EventLog();
      const { streamId, buildId } = log.build('nova', 'c1', 'FAILED');
      log.recheck(streamId, buildId);
      const docs = given(log.events).then(buildsProjection);
      expect(docs.get(buildId)).toMatchObject({ status: 'FAILED', rechecked: true });
      expect(rowsOf(buildsProjection, docs).get(buildId)).toMatchObject({ rechecked: 1 });
    });
  });

  describe('when the build was purged', () => {
    it('sets the PURGED flag bit and the purged column', () => {
      const log = new EventLog();
      const { streamId, buildId } = log.build('nova', 'c1', 'SUCCESS');
      log.append(streamId, 'BuildPurged', { buildId, repoDir: 'x', directoryRemoved: true });
      const docs = given(log.events).then(buildsProjection);
      expect(docs.get(buildId)?.flags).toBe(0x2);
      expect(rowsOf(buildsProjection, docs).get(buildId)).toMatchObject({ purged: 1 });
      expect(given(log.events).replayedTwice(buildsProjection)).toEqual(docs);
    });
  });

  describe('when a claim arrives on a stream whose discovery is unknown', () => {
    it('writes no document', () => {
      const log = new EventLog();
      log.append('build-ghost@c1_d1', 'BuildClaimed', {
        buildId: 'b1',
        attempt: 1,
        builderId: 'x',
        leaseExpiresAt: '2099-01-01T00:00:00Z',
      });
      log.append('build-ghost@c1_d1', 'BuildFailed', { buildId: 'b1', repoDir: 'x', notes: 'n' });
      expect(given(log.events).then(buildsProjection).size).toBe(0);
    });
  });

  describe('when an older event of a build is delivered again after newer ones', () => {
    it('leaves the document as the newer events made it', () => {
      const log = new EventLog();
      const { buildId } = log.build('nova', 'c1', 'FAILED');
      const started = log.events.find((e) => e.type === 'BuildStarted')!;
      const docs = given([...log.events, started]).then(buildsProjection);
      expect(docs.get(buildId)).toMatchObject({ status: 'FAILED', lastPosition: log.events.length });
    });
  });
});
