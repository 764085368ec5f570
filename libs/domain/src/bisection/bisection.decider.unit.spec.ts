import { describe, expect, it } from 'vitest';
import { bisect, BISECTION_ID as ID, hash, result, startOf } from '../../../../test/support/bisection.fixtures.js';
import { deciderSpec } from '../../../../test/support/decider-spec.js';
import { fold } from '../shared/decider.js';
import { bisectionDecider, maxSteps, midpoint } from './bisection.decider.js';

describe('bisection decider', () => {
  describe('midpoints', () => {
    it('are git bisect midpoints between the last good and the first bad index', () => {
      expect(midpoint(-1, 7)).toBe(3);
      expect(midpoint(3, 7)).toBe(5);
      expect(midpoint(-1, 1)).toBe(0);
      expect([0, 1, 2, 3, 4, 5, 8, 9, 16, 17].map(maxSteps)).toEqual([0, 0, 1, 2, 2, 3, 3, 4, 4, 5]);
    });
  });

  describe('every n from 1 to 20 and every first bad commit k', () => {
    it('names exactly k, in at most ⌈log2 n⌉ step builds, ⌈log2 n⌉ for the worst k', () => {
      for (let n = 1; n <= 20; n++) {
        let worst = 0;
        for (let k = 1; k <= n; k++) {
          const { events, builds } = bisect(n, k);
          const end = events.at(-1);
          expect(end?.type, `n=${n} k=${k}`).toBe('CulpritIdentified');
          if (end?.type !== 'CulpritIdentified') continue;
          expect(end.data.commitHash, `n=${n} k=${k}`).toBe(hash(k));
          expect(end.data.lastGoodCommitHash, `n=${n} k=${k}`).toBe(hash(k - 1));
          expect(end.data.steps).toBe(builds.length);
          expect(builds.length, `n=${n} k=${k}`).toBeLessThanOrEqual(maxSteps(n));
          expect(new Set(builds).size).toBe(builds.length);
          worst = Math.max(worst, builds.length);
        }
        expect(worst, `n=${n}`).toBe(maxSteps(n));
      }
    });
  });

  describe('the culprit names the build that shows it bad', () => {
    it('a step build when a step failed at it, the first failure when it is bad itself', () => {
      const early = bisect(8, 3).events.at(-1);
      expect(early).toMatchObject({ type: 'CulpritIdentified', data: { buildId: `b-${hash(3)}`, distroHash: 'd1' } });
      const last = bisect(8, 8).events.at(-1);
      expect(last).toMatchObject({ type: 'CulpritIdentified', data: { commitHash: hash(8), buildId: 'b-bad' } });
    });
  });

  const spec = deciderSpec(bisectionDecider);
  const started = (n: number) => bisectionDecider.decide(startOf(n), bisectionDecider.initialState());

  describe('start', () => {
    it('records the range and requests the first midpoint with the dist-git commit of bad', () => {
      spec
        .given([])
        .when(startOf(8))
        .then([
          { type: 'BisectionStarted', data: startedData(8) },
          {
            type: 'BisectionStepRequested',
            data: { bisectionId: ID, package: 'nova', commitHash: hash(4), distroHash: 'd1', step: 1 },
          },
        ]);
    });

    it('with one candidate names bad at once, without a build', () => {
      spec
        .given([])
        .when(startOf(1))
        .then([
          { type: 'BisectionStarted', data: startedData(1) },
          {
            type: 'CulpritIdentified',
            data: {
              bisectionId: ID,
              package: 'nova',
              commitHash: hash(1),
              distroHash: 'd1',
              buildId: 'b-bad',
              lastGoodCommitHash: hash(0),
              steps: 0,
            },
          },
        ]);
    });

    it('with no candidate ends inconclusive (no_candidates)', () => {
      const events = bisectionDecider.decide({ ...startOf(1), candidates: [] }, bisectionDecider.initialState());
      expect(events.map((e) => e.type)).toEqual(['BisectionStarted', 'BisectionInconclusive']);
      expect(events[1]).toMatchObject({
        data: { reason: 'no_candidates', steps: 0, detail: `no commit after ${hash(0)}` },
      });
    });

    it('when good is not on the first-parent line of bad ends inconclusive (not_an_ancestor)', () => {
      const events = bisectionDecider.decide(
        { ...startOf(4), candidates: 'not_an_ancestor' },
        bisectionDecider.initialState(),
      );
      expect(events[0]).toMatchObject({ type: 'BisectionStarted', data: { candidates: [] } });
      expect(events[1]).toMatchObject({ type: 'BisectionInconclusive', data: { reason: 'not_an_ancestor' } });
      expect((events[1]?.data as { detail: string }).detail).toContain(hash(0));
    });

    it('twice records nothing the second time (one stream per package and good/bad)', () => {
      spec.given(started(8)).when(startOf(8)).thenNothingHappens();
    });

    it('refuses candidates that do not end with bad', () => {
      spec
        .given([])
        .when({ ...startOf(4), candidates: [hash(1), hash(2)] })
        .thenThrows('BISECTION_BAD_RANGE', new RegExp(`^the candidates of ${ID} must end with the bad commit c004$`));
    });
  });

  describe('a step result', () => {
    it('good narrows from below, bad from above, each followed by the next midpoint', () => {
      const afterGood = bisectionDecider.decide(result(1, hash(4), 'SUCCESS'), fold(bisectionDecider, started(8)));
      expect(afterGood).toEqual([
        {
          type: 'BisectionStepBuilt',
          data: {
            bisectionId: ID,
            package: 'nova',
            commitHash: hash(4),
            buildId: `b-${hash(4)}`,
            step: 1,
            status: 'SUCCESS',
            verdict: 'good',
          },
        },
        {
          type: 'BisectionStepRequested',
          data: { bisectionId: ID, package: 'nova', commitHash: hash(6), distroHash: 'd1', step: 2 },
        },
      ]);
      const afterBad = bisectionDecider.decide(result(1, hash(4), 'FAILED'), fold(bisectionDecider, started(8)));
      expect(afterBad[0]).toMatchObject({ data: { verdict: 'bad', status: 'FAILED' } });
      expect(afterBad[1]).toMatchObject({ type: 'BisectionStepRequested', data: { commitHash: hash(2), step: 2 } });
    });

    it('a different failure is a skip that ends the bisection (different_failure)', () => {
      const events = bisectionDecider.decide(
        result(1, hash(4), 'FAILED', { sameFailure: false, detail: 'error: No such file' }),
        fold(bisectionDecider, started(8)),
      );
      expect(events[0]).toMatchObject({ type: 'BisectionStepBuilt', data: { verdict: 'skip', status: 'FAILED' } });
      expect(events[1]).toMatchObject({
        type: 'BisectionInconclusive',
        data: { reason: 'different_failure', steps: 1 },
      });
      expect((events[1]?.data as { detail: string }).detail).toMatch(/c004 failed differently.*No such file/);
    });

    it('a failure with nothing to compare with (bad never built) reads bad', () => {
      const events = bisectionDecider.decide(
        result(1, hash(4), 'FAILED', { sameFailure: null }),
        fold(bisectionDecider, started(8)),
      );
      expect(events[0]).toMatchObject({ data: { verdict: 'bad' } });
    });

    it('retries exhausted end the bisection (retries_exhausted)', () => {
      const events = bisectionDecider.decide(
        result(1, hash(4), 'FAILED', { retriesExhausted: true }),
        fold(bisectionDecider, started(8)),
      );
      expect(events[1]).toEqual({
        type: 'BisectionInconclusive',
        data: {
          bisectionId: ID,
          package: 'nova',
          reason: 'retries_exhausted',
          detail: 'step 1: c004 kept failing transiently until maxretries (build b-c004)',
          steps: 1,
        },
      });
    });

    it('told twice records nothing the second time', () => {
      const first = bisectionDecider.decide(result(1, hash(4), 'SUCCESS'), fold(bisectionDecider, started(8)));
      spec
        .given([...started(8), ...first])
        .when(result(1, hash(4), 'SUCCESS'))
        .thenNothingHappens();
    });

    it('for a step that is not pending, or another commit, is refused', () => {
      spec
        .given(started(8))
        .when(result(2, hash(4), 'SUCCESS'))
        .thenThrows('BISECTION_STEP_NOT_PENDING', new RegExp(`^step 2 of ${ID} is not the pending step \\(step 1\\)$`));
      spec
        .given(started(8))
        .when(result(1, hash(5), 'SUCCESS'))
        .thenThrows('BISECTION_STEP_NOT_PENDING', new RegExp(`^step 1 of ${ID} builds c004, not c005$`));
      spec
        .given([])
        .when(result(1, hash(4), 'SUCCESS'))
        .thenThrows('BISECTION_NOT_STARTED', /^this bisection was never started$/);
    });

    it('for a step past the pending one, after a first result, is refused, naming the step', () => {
      const first = bisectionDecider.decide(result(1, hash(4), 'SUCCESS'), fold(bisectionDecider, started(8)));
      let caught: unknown;
      try {
        bisectionDecider.decide(result(3, hash(7), 'SUCCESS'), fold(bisectionDecider, [...started(8), ...first]));
      } catch (error) {
        caught = error;
      }
      expect(caught).toMatchObject({
        code: 'BISECTION_STEP_NOT_PENDING',
        message: `step 3 of ${ID} is not the pending step (step 2)`,
        details: { step: 3 },
      });
    });

    it('for a step past the last, once the bisection ended, is refused, naming no pending step', () => {
      spec
        .given(bisect(8, 3).events)
        .when(result(9, hash(3), 'FAILED'))
        .thenThrows('BISECTION_STEP_NOT_PENDING', /is not the pending step \(none\)$/);
    });

    it('after the end records nothing', () => {
      const { events } = bisect(8, 3);
      spec
        .given(events)
        .when(result(3, hash(3), 'FAILED'))
        .thenNothingHappens();
    });
  });

  describe('a vanished step commit', () => {
    it('ends the bisection (vanished_commit), once', () => {
      const abandon = { type: 'AbandonStep', step: 1, reason: 'vanished_commit', detail: 'c004 is gone' } as const;
      const events = bisectionDecider.decide(abandon, fold(bisectionDecider, started(8)));
      expect(events).toEqual([
        {
          type: 'BisectionInconclusive',
          data: { bisectionId: ID, package: 'nova', reason: 'vanished_commit', detail: 'c004 is gone', steps: 0 },
        },
      ]);
      spec
        .given([...started(8), ...events])
        .when(abandon)
        .thenNothingHappens();
    });
  });

  describe('unknown commands and events', () => {
    it('are refused, naming what they are', () => {
      const state = bisectionDecider.initialState();
      expect(() => bisectionDecider.decide({ type: 'Nope' } as never, state)).toThrow(
        'unexpected bisection command: {"type":"Nope"}',
      );
      expect(() => bisectionDecider.evolve(fold(bisectionDecider, started(8)), { type: 'Nope' } as never)).toThrow(
        'unexpected bisection event: {"type":"Nope"}',
      );
    });
  });

  describe('state', () => {
    it('folds to the outcome: running with the pending step, then the culprit', () => {
      const running = spec.given(started(8)).state();
      expect(running).toMatchObject({ phase: 'running', lo: -1, hi: 7, pending: { step: 1, commitHash: hash(4) } });
      const done = spec.given(bisect(8, 6).events).state();
      expect(done).toMatchObject({ phase: 'culprit', culprit: hash(6), pending: null });
    });
  });
});

function startedData(n: number) {
  const { type: _type, candidates, ...data } = startOf(n);
  return { ...data, candidates: candidates === 'not_an_ancestor' ? [] : candidates };
}
