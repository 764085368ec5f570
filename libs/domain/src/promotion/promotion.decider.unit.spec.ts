import { describe, expect, it } from 'vitest';
import { deciderSpec } from '../../../../test/support/decider-spec.js';
import type { EventPayload } from '../shared/event.js';
import { promotionLinkOf } from './promotion-link.js';
import { promotionDecider, type PromoteRepo } from './promotion.decider.js';
import type { PromotionEvent, RepoPromoted } from './promotion.events.js';

const spec = deciderSpec(promotionDecider);

const promotion = (repoDir: string, extra: Partial<PromoteRepo['data']> = {}): PromoteRepo['data'] => ({
  promotionName: 'current-passed-ci',
  commitHash: 'abc',
  distroHash: 'def',
  extendedHash: null,
  component: null,
  repoDir,
  timestamp: 1_700_000_000,
  user: 'ci',
  aggregateHash: null,
  ...extra,
});
const promoted = (repoDir: string, previousRepoDir: string | null): EventPayload<RepoPromoted> => ({
  type: 'RepoPromoted',
  data: { ...promotion(repoDir), previousRepoDir },
});
const rollBack = (revision: number, restoreRepoDir: string | null) =>
  ({
    type: 'RollBackPromotion',
    data: {
      revision,
      promotionEventIds: ['e-2'],
      restored: restoreRepoDir === null ? null : { ...promotion(restoreRepoDir), previousRepoDir: null },
      timestamp: 1_700_000_100,
      user: 'ci',
    },
  }) as const;

describe('promotion decider', () => {
  describe('when the name was never promoted', () => {
    it('records the promotion with no previous repository', () => {
      spec
        .given([])
        .when({ type: 'PromoteRepo', data: promotion('ab/cd/x') })
        .then([promoted('ab/cd/x', null)]);
    });
  });

  describe('when the name points somewhere already', () => {
    it('records what the log says it replaced, not what a disk says', () => {
      spec
        .given([promoted('ab/cd/x', null)])
        .when({ type: 'PromoteRepo', data: promotion('ef/gh/y') })
        .then([promoted('ef/gh/y', 'ab/cd/x')]);
    });

    it('records a promotion to the same repository again, as DLRN adds a row each time', () => {
      spec
        .given([promoted('ab/cd/x', null)])
        .when({ type: 'PromoteRepo', data: promotion('ab/cd/x') })
        .then([promoted('ab/cd/x', 'ab/cd/x')]);
    });
  });

  describe('when the name is reserved or leaves the repos directory', () => {
    it.each(['current', 'consistent', 'current_', 'x_', '..', 'a/b'])('refuses %j', (name) => {
      spec
        .given([])
        .when({ type: 'PromoteRepo', data: promotion('ab/cd/x', { promotionName: name }) })
        .thenThrows('INVALID_PROMOTION_NAME', new RegExp(`^Invalid promote_name ${name.replace('.', '\\.')}`));
    });
  });

  describe('when a batch undoes the promotion it just recorded', () => {
    it('points the name back at the repository before the batch', () => {
      spec
        .given([promoted('ab/cd/x', null), promoted('ef/gh/y', 'ab/cd/x')])
        .when(rollBack(1, 'ab/cd/x'))
        .then([
          {
            type: 'PromotionRolledBack',
            data: {
              promotionName: 'current-passed-ci',
              component: null,
              promotionEventIds: ['e-2'],
              rolledBackRepoDir: 'ef/gh/y',
              repoDir: 'ab/cd/x',
              restored: { ...promotion('ab/cd/x'), previousRepoDir: null },
              timestamp: 1_700_000_100,
              user: 'ci',
            },
          },
        ]);
    });

    it('leaves the name without a link when it had none before', () => {
      const [event] = promotionDecider.decide(rollBack(0, null), spec.given([promoted('ab/cd/x', null)]).state());
      expect(event).toMatchObject({
        type: 'PromotionRolledBack',
        data: { repoDir: null, rolledBackRepoDir: 'ab/cd/x' },
      });
    });

    it('changes nothing when someone promoted the name since: their promotion stands', () => {
      spec
        .given([promoted('ab/cd/x', null), promoted('ef/gh/y', 'ab/cd/x')])
        .when(rollBack(0, null))
        .thenNothingHappens();
    });

    it('folds the rollback: the next promotion replaces the repository the name points at again', () => {
      const history: EventPayload<PromotionEvent>[] = [promoted('ab/cd/x', null), promoted('ef/gh/y', 'ab/cd/x')];
      const [undo] = promotionDecider.decide(rollBack(1, 'ab/cd/x'), spec.given(history).state());
      spec
        .given([...history, undo!])
        .when({ type: 'PromoteRepo', data: promotion('ij/kl/z') })
        .then([promoted('ij/kl/z', 'ab/cd/x')]);
    });
  });
});

describe('promotion links', () => {
  const withComponent = (repoDir: string): RepoPromoted => ({
    type: 'RepoPromoted',
    data: { ...promotion(repoDir, { component: 'tripleo' }), previousRepoDir: null },
    metadata: {} as RepoPromoted['metadata'],
  });

  it('lives in the repos directory, pointing at the sharded path, without components', () => {
    expect(promotionLinkOf(withComponent('component/tripleo/ab/cd/x'), false)).toEqual({
      dir: '',
      name: 'current-passed-ci',
      target: 'component/tripleo/ab/cd/x',
    });
  });

  it("lives in the component's folder, without its prefix in the target, with components on", () => {
    expect(promotionLinkOf(withComponent('component/tripleo/ab/cd/x'), true)).toEqual({
      dir: 'component/tripleo',
      name: 'current-passed-ci',
      target: 'ab/cd/x',
    });
  });
});
