import { describe, expect, it } from 'vitest';
import { deciderSpec } from '../../../../test/support/decider-spec.js';
import type { EventPayload } from '../shared/event.js';
import { promotionLinkOf } from './promotion-link.js';
import { promotionDecider, type PromoteRepo } from './promotion.decider.js';
import type { PromotionRolledBack, RepoPromoted } from './promotion.events.js';

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
/** What earlier versions recorded to undo a batch's promotion of a name. */
const rolledBack = (rolledBackRepoDir: string, restoreRepoDir: string | null): EventPayload<PromotionRolledBack> => ({
  type: 'PromotionRolledBack',
  data: {
    promotionName: 'current-passed-ci',
    component: null,
    promotionEventIds: ['e-2'],
    rolledBackRepoDir,
    repoDir: restoreRepoDir,
    restored: restoreRepoDir === null ? null : { ...promotion(restoreRepoDir), previousRepoDir: null },
    timestamp: 1_700_000_100,
    user: 'ci',
  },
});

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

  describe('when an earlier version rolled back a batch', () => {
    it('replaces the repository the name points at again', () => {
      spec
        .given([promoted('ab/cd/x', null), promoted('ef/gh/y', 'ab/cd/x'), rolledBack('ef/gh/y', 'ab/cd/x')])
        .when({ type: 'PromoteRepo', data: promotion('ij/kl/z') })
        .then([promoted('ij/kl/z', 'ab/cd/x')]);
    });

    it('replaces nothing when the name had no link before the batch', () => {
      spec
        .given([promoted('ab/cd/x', null), rolledBack('ab/cd/x', null)])
        .when({ type: 'PromoteRepo', data: promotion('ij/kl/z') })
        .then([promoted('ij/kl/z', null)]);
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
