import { describe, expect, it } from 'vitest';
import { deciderSpec } from '../../../../test/support/decider-spec.js';
import type { EventPayload } from '../shared/event.js';
import { placePromotionLink, promotionLinkOf } from './promotion-link.js';
import { promotionNameProblem } from './promotion-name.js';
import { InvalidPromotionNameError, promotionDecider, type PromoteRepo } from './promotion.decider.js';
import { promotionStreamId, type PromotionRolledBack, type RepoPromoted } from './promotion.events.js';

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

  describe('when the name is refused', () => {
    it('names it in the details of the error, with a stable code', () => {
      const error = new InvalidPromotionNameError('current');
      expect(error.code).toBe('INVALID_PROMOTION_NAME');
      expect(error.message).toBe('Invalid promote_name current');
      expect(error.details).toEqual({ promotionName: 'current' });
    });
  });

  describe('when the command is of no known type', () => {
    it('refuses it, naming the type', () => {
      spec
        .given([])
        .when({ type: 'DemoteRepo' } as unknown as PromoteRepo)
        .thenThrows('UNKNOWN_COMMAND', /^unknown promotion command "DemoteRepo"$/);
    });
  });

  describe('when an earlier version rolled back a batch', () => {
    it('folds to the name, the restored repository and the component of the rollback', () => {
      const rollback = rolledBack('ef/gh/y', 'ab/cd/x');
      const inComponent: EventPayload<PromotionRolledBack> = {
        type: 'PromotionRolledBack',
        data: { ...rollback.data, promotionName: 'tripleo-ci-testing', component: 'tripleo' },
      };
      expect(spec.given([promoted('ef/gh/y', null), inComponent]).state()).toEqual({
        promotionName: 'tripleo-ci-testing',
        repoDir: 'ab/cd/x',
        component: 'tripleo',
      });
    });

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

describe('promotion names that are not one path segment', () => {
  it.each([
    ['a\\b', 'path'],
    ['a\0b', 'path'],
    ['x'.repeat(256), 'path'],
    ['x'.repeat(255), null],
  ] as const)('classifies %j as %s', (name, problem) => {
    expect(promotionNameProblem(name)).toBe(problem);
  });
});

describe('promotion links of a rollback and of a commit outside the component', () => {
  const rollbackIn = (rolledBackRepoDir: string, repoDir: string | null): PromotionRolledBack => ({
    type: 'PromotionRolledBack',
    data: {
      promotionName: 'current-passed-ci',
      component: 'tripleo',
      promotionEventIds: ['e-2'],
      rolledBackRepoDir,
      repoDir,
      restored: null,
      timestamp: 1_700_000_100,
      user: 'ci',
    },
    metadata: {} as PromotionRolledBack['metadata'],
  });

  it("places a rollback's link by the undone repository, pointing at the restored one", () => {
    expect(promotionLinkOf(rollbackIn('component/tripleo/ef/gh/y', 'component/tripleo/ab/cd/x'), true)).toEqual({
      dir: 'component/tripleo',
      name: 'current-passed-ci',
      target: 'ab/cd/x',
    });
  });

  it('places a rollback that removes the link in the component folder, with no target', () => {
    expect(promotionLinkOf(rollbackIn('component/tripleo/ef/gh/y', null), true)).toEqual({
      dir: 'component/tripleo',
      name: 'current-passed-ci',
      target: null,
    });
  });

  it("keeps the link in the repos directory when the placing repository is not under the component's folder", () => {
    expect(
      placePromotionLink({ name: 'n', component: 'tripleo', placedBy: 'ab/cd/x' }, 'component/tripleo/ab/cd/x', true),
    ).toEqual({ dir: '', name: 'n', target: 'component/tripleo/ab/cd/x' });
  });

  it('keeps a target outside the component folder whole', () => {
    expect(
      placePromotionLink({ name: 'n', component: 'tripleo', placedBy: 'component/tripleo/ab/cd/x' }, 'ef/gh/y', true),
    ).toEqual({ dir: 'component/tripleo', name: 'n', target: 'ef/gh/y' });
  });

  it('places a promotion without a component in the repos directory, even with components on', () => {
    expect(placePromotionLink({ name: 'n', component: null, placedBy: 'ab/cd/x' }, 'ab/cd/x', true)).toEqual({
      dir: '',
      name: 'n',
      target: 'ab/cd/x',
    });
  });
});

describe('promotion streams', () => {
  it('name one stream per promotion name, and per component when the promotion has one', () => {
    expect(promotionStreamId('current-passed-ci')).toBe('promotion-current-passed-ci');
    expect(promotionStreamId('current-passed-ci', 'tripleo')).toBe('promotion-current-passed-ci@component/tripleo');
  });
});
