import { describe, expect, it } from 'vitest';
import { deciderSpec } from '../../../../test/support/decider-spec.js';
import { pointerDecider, pointerStreamOf, type MovePointer } from './pointer.decider.js';

const spec = deciderSpec(pointerDecider);

const move = (repoDir: string, previousRepoDir: string | null = null): MovePointer['data'] => ({
  buildId: `build-of-${repoDir}`,
  repoDir,
  previousRepoDir,
  component: null,
});

describe('current and consistent pointers', () => {
  describe('when a pointer has never moved', () => {
    it('records the move of current', () => {
      spec
        .given([])
        .when({ type: 'MovePointer', pointer: 'current', data: move('ab/cd/abcd_1') })
        .then([{ type: 'CurrentMoved', data: move('ab/cd/abcd_1') }]);
    });

    it('records the move of consistent, the previous link as seen on disk', () => {
      spec
        .given([])
        .when({ type: 'MovePointer', pointer: 'consistent', data: move('ab/cd/abcd_1', 'old') })
        .then([{ type: 'ConsistentMoved', data: move('ab/cd/abcd_1', 'old') }]);
    });
  });

  describe('when the log already points there (a crash between the append and the link)', () => {
    it('records nothing: only the link has to follow', () => {
      spec
        .given([{ type: 'CurrentMoved', data: move('ab/cd/abcd_1') }])
        .when({ type: 'MovePointer', pointer: 'current', data: move('ab/cd/abcd_1', 'old') })
        .thenNothingHappens();
    });
  });

  describe('when the pointer moves on', () => {
    it('records the new move', () => {
      spec
        .given([{ type: 'CurrentMoved', data: move('ab/cd/abcd_1') }])
        .when({ type: 'MovePointer', pointer: 'current', data: move('ef/gh/efgh_2', 'ab/cd/abcd_1') })
        .then([{ type: 'CurrentMoved', data: move('ef/gh/efgh_2', 'ab/cd/abcd_1') }]);
    });

    it('folds to the last move alone', () => {
      const state = spec
        .given([
          { type: 'CurrentMoved', data: move('ab/cd/abcd_1') },
          { type: 'CurrentMoved', data: move('ef/gh/efgh_2') },
        ])
        .state();
      expect(state).toEqual({ repoDir: 'ef/gh/efgh_2' });
    });
  });

  it('decides each pointer on its own stream', () => {
    expect(pointerStreamOf({ type: 'MovePointer', pointer: 'current', data: move('x') })).toBe('pointer-current');
    expect(pointerStreamOf({ type: 'MovePointer', pointer: 'consistent', data: move('x') })).toBe('pointer-consistent');
    expect(
      pointerStreamOf({ type: 'MovePointer', pointer: 'consistent', data: { ...move('x'), component: 'tripleo' } }),
    ).toBe('pointer-consistent@component/tripleo');
  });
});
