import fc from 'fast-check';
import { describe, it } from 'vitest';
import { maxSteps } from '#domain/bisection/bisection.decider.js';
import { bisect, hash } from '../support/bisection.fixtures.js';

describe('bisection (property)', () => {
  it('names the first bad commit k of any n candidates in at most ⌈log2 n⌉ step builds, never one twice', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 1, max: n }))),
        ([n, k]) => {
          const { events, builds } = bisect(n, k);
          const end = events.at(-1);
          return (
            end?.type === 'CulpritIdentified' &&
            end.data.commitHash === hash(k) &&
            end.data.lastGoodCommitHash === hash(k - 1) &&
            builds.length <= maxSteps(n) &&
            new Set(builds).size === builds.length
          );
        },
      ),
    );
  });
});
