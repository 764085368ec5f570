import { describe, expect, it } from 'vitest';
import { deciderSpec } from '../../../../test/support/decider-spec.js';
import type { EventPayload } from '../shared/event.js';
import type { BuildOutcome } from './build.commands.js';
import { buildDecider } from './build.decider.js';
import type { BuildEvent, CommitDiscovered } from './build.events.js';

type Payload = EventPayload<BuildEvent>;
const spec = deciderSpec(buildDecider);

const commit: CommitDiscovered['data'] = {
  package: 'openstack-nova',
  project: 'nova',
  type: 'rpm',
  commitHash: '3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a',
  distroHash: 'aabbccddeeff00112233445566778899aabbccdd',
  extendedHash: null,
  dtCommit: 1_700_000_000,
  dtDistro: 1_699_000_000,
  dtExtended: null,
  commitBranch: 'master',
  component: null,
  upstreamUrl: 'https://opendev.org/openstack/nova',
  distgitUrl: 'https://github.com/rdo-packages/nova-distgit',
  versionsCsv: null,
  purpose: { kind: 'commit' },
};
const now = new Date('2026-11-25T10:00:00Z');
const repoDir = '3f/2a/3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a_aabbccdd';

const discovered: Payload = { type: 'CommitDiscovered', data: commit };
const claimedBy = (
  buildId: string,
  attempt: number,
  leaseExpiresAt = '2026-11-25T12:00:00.000Z',
  builderId = 'builder-1',
): Payload => ({
  type: 'BuildClaimed',
  data: { buildId, attempt, builderId, leaseExpiresAt },
});
const started = (buildId: string): Payload => ({
  type: 'BuildStarted',
  data: { buildId, dtBuild: 1_700_000_100, workerId: 1, driver: 'rpmbuild' },
});
const succeeded = (buildId: string): Payload => ({
  type: 'BuildSucceeded',
  data: { buildId, artifacts: [`repos/${repoDir}/nova-1.0-0.1.src.rpm`], nvr: 'nova-1.0-0.1', repoDir, notes: 'OK' },
});
const failed = (buildId: string): Payload => ({ type: 'BuildFailed', data: { buildId, repoDir, notes: 'boom' } });
const retried = (buildId: string, retries: number): Payload => ({
  type: 'BuildRetryScheduled',
  data: { buildId, repoDir, notes: 'mirror', matchedError: 'No more mirrors to try', retries, maxRetries: 3 },
});
const transient: BuildOutcome = { status: 'failure', notes: 'mirror', transientError: 'No more mirrors to try' };
const permanent: BuildOutcome = { status: 'failure', notes: 'boom', transientError: null };
const complete = (buildId: string, outcome: BuildOutcome, maxRetries = 3) =>
  ({ type: 'CompleteBuild', buildId, repoDir, outcome, maxRetries }) as const;
const claim = (buildId: string, at = now, builderId = 'builder-2') =>
  ({ type: 'ClaimBuild', buildId, builderId, now: at, leaseMs: 2 * 3600_000 }) as const;

describe('build lifecycle', () => {
  describe('when a commit is discovered for the first time', () => {
    it('records it', () => {
      spec.given([]).when({ type: 'DiscoverCommit', commit }).then([discovered]);
    });
  });

  describe('when the same commit is discovered again', () => {
    it('changes nothing, whatever happened since', () => {
      spec.given([discovered]).when({ type: 'DiscoverCommit', commit }).thenNothingHappens();
      spec
        .given([discovered, claimedBy('b1', 1), failed('b1')])
        .when({ type: 'DiscoverCommit', commit })
        .thenNothingHappens();
    });
  });

  describe('when a discovered commit is claimed', () => {
    it('grants attempt 1 with a lease', () => {
      spec
        .given([discovered])
        .when(claim('b1'))
        .then([claimedBy('b1', 1, undefined, 'builder-2')]);
    });
  });

  describe('when a commit was never discovered', () => {
    it('refuses a claim', () => {
      spec.given([]).when(claim('b1')).thenThrows('COMMIT_NOT_DISCOVERED');
    });
  });

  describe('when another builder holds a live claim', () => {
    it('refuses a second claim: one build of a commit at a time', () => {
      spec
        .given([discovered, claimedBy('b1', 1)])
        .when(claim('b2'))
        .thenThrows('BUILD_ALREADY_CLAIMED', /builder-1/);
    });
  });

  describe('when the builder holding the claim was restarted', () => {
    it('takes its own stale claim over at once', () => {
      spec
        .given([discovered, claimedBy('b1', 1), started('b1')])
        .when({ type: 'ClaimBuild', buildId: 'b2', builderId: 'builder-1', now, leaseMs: 1000 })
        .then([
          { type: 'BuildAbandoned', data: { buildId: 'b1', reason: 'builder_stopped' } },
          {
            type: 'BuildClaimed',
            data: { buildId: 'b2', attempt: 2, builderId: 'builder-1', leaseExpiresAt: '2026-11-25T10:00:01.000Z' },
          },
        ]);
    });

    it("takes over the claim of a holder the claimant saw stopped, and only that holder's", () => {
      spec
        .given([discovered, claimedBy('b1', 1), started('b1')])
        .when({ ...claim('b2'), stoppedHolder: 'builder-1' })
        .then([
          { type: 'BuildAbandoned', data: { buildId: 'b1', reason: 'builder_stopped' } },
          {
            type: 'BuildClaimed',
            data: { buildId: 'b2', attempt: 2, builderId: 'builder-2', leaseExpiresAt: '2026-11-25T12:00:00.000Z' },
          },
        ]);
      spec
        .given([discovered, claimedBy('b1', 1), started('b1')])
        .when({ ...claim('b2'), stoppedHolder: 'builder-9' })
        .thenThrows('BUILD_ALREADY_CLAIMED', /builder-1/);
    });
  });

  describe('when the claimant gives its claim up without a result', () => {
    it('abandons it, so another builder may claim the commit at once', () => {
      spec
        .given([discovered, claimedBy('b1', 1), started('b1')])
        .when({ type: 'AbandonBuild', buildId: 'b1' })
        .then([{ type: 'BuildAbandoned', data: { buildId: 'b1', reason: 'builder_stopped' } }]);
      spec
        .given([
          discovered,
          claimedBy('b1', 1),
          { type: 'BuildAbandoned', data: { buildId: 'b1', reason: 'builder_stopped' } },
        ])
        .when(claim('b2'))
        .then([
          {
            type: 'BuildClaimed',
            data: { buildId: 'b2', attempt: 2, builderId: 'builder-2', leaseExpiresAt: '2026-11-25T12:00:00.000Z' },
          },
        ]);
    });

    it('does nothing when that claim is no longer the one in force, or the build has ended', () => {
      spec
        .given([discovered, claimedBy('b1', 1), claimedBy('b2', 2)])
        .when({ type: 'AbandonBuild', buildId: 'b1' })
        .thenNothingHappens();
      spec
        .given([discovered, claimedBy('b1', 1), failed('b1')])
        .when({ type: 'AbandonBuild', buildId: 'b1' })
        .thenNothingHappens();
      spec.given([discovered]).when({ type: 'AbandonBuild', buildId: 'b1' }).thenNothingHappens();
    });
  });

  describe('when the claim lease has expired', () => {
    it('abandons the stale claim and grants a new attempt', () => {
      const later = new Date('2026-11-25T12:00:01Z');
      spec
        .given([discovered, claimedBy('b1', 1), started('b1')])
        .when(claim('b2', later))
        .then([
          { type: 'BuildAbandoned', data: { buildId: 'b1', reason: 'lease_expired' } },
          {
            type: 'BuildClaimed',
            data: { buildId: 'b2', attempt: 2, builderId: 'builder-2', leaseExpiresAt: '2026-11-25T14:00:01.000Z' },
          },
        ]);
    });
  });

  describe('when the build starts', () => {
    it('records dt_build for the claim holder', () => {
      spec
        .given([discovered, claimedBy('b1', 1)])
        .when({ type: 'StartBuild', buildId: 'b1', dtBuild: 1_700_000_100, workerId: 1, driver: 'rpmbuild' })
        .then([started('b1')]);
    });

    it('refuses a build id that does not hold the claim', () => {
      spec
        .given([discovered, claimedBy('b1', 1)])
        .when({ type: 'StartBuild', buildId: 'other', dtBuild: 1, workerId: 1, driver: 'rpmbuild' })
        .thenThrows('BUILD_NOT_CLAIMED');
    });

    it('is idempotent once started', () => {
      spec
        .given([discovered, claimedBy('b1', 1), started('b1')])
        .when({ type: 'StartBuild', buildId: 'b1', dtBuild: 1_700_000_100, workerId: 1, driver: 'rpmbuild' })
        .thenNothingHappens();
    });
  });

  describe('when a builder begins a build in one step (discover, claim, start)', () => {
    const begin = (buildId: string, builderId = 'builder-1') =>
      ({
        type: 'BeginBuild',
        commit,
        claim: { buildId, builderId, now, leaseMs: 2 * 3600_000 },
        start: { dtBuild: 1_700_000_100, workerId: 1, driver: 'rpmbuild' },
      }) as const;

    it('records the discovery, the claim and the start of a new commit in one decision', () => {
      spec
        .given([])
        .when(begin('b1'))
        .then([discovered, claimedBy('b1', 1), started('b1')]);
    });

    it('claims and starts a commit discovered earlier', () => {
      spec
        .given([discovered])
        .when(begin('b1'))
        .then([claimedBy('b1', 1), started('b1')]);
    });

    it('keeps the claim rules: a live claim of another builder refuses it whole', () => {
      spec
        .given([discovered, claimedBy('b1', 1, undefined, 'builder-2')])
        .when(begin('b2'))
        .thenThrows('BUILD_ALREADY_CLAIMED');
      spec
        .given([discovered, claimedBy('b1', 1), succeeded('b1')])
        .when(begin('b2'))
        .thenThrows('BUILD_ALREADY_DONE');
    });

    it('folds to the same state as the three commands appended one by one', () => {
      const oneStep = spec.given(buildDecider.decide(begin('b1'), buildDecider.initialState())).state();
      const threeSteps = spec.given([discovered, claimedBy('b1', 1), started('b1')]).state();
      expect(oneStep).toEqual(threeSteps);
    });
  });

  describe('when the build produced RPMs', () => {
    it('records SUCCESS with notes OK and its repository in the same decision', () => {
      const publication = {
        package: commit.package,
        commitHash: commit.commitHash,
        distroHash: commit.distroHash,
        extendedHash: null,
        component: null,
        repoDir,
        failures: 0,
        packages: [
          {
            name: 'openstack-nova',
            commitHash: commit.commitHash,
            distroHash: commit.distroHash,
            status: 'SUCCESS',
            nvr: 'nova-1.0-0.1',
          },
        ],
        withRepodata: true,
      };
      spec
        .given([discovered, claimedBy('b1', 1), started('b1')])
        .when(
          complete('b1', {
            status: 'success',
            artifacts: [`repos/${repoDir}/nova-1.0-0.1.src.rpm`],
            nvr: 'nova-1.0-0.1',
            publication,
          }),
        )
        .then([succeeded('b1'), { type: 'RepoPublished', data: { buildId: 'b1', ...publication } }]);
    });
  });

  describe('when the build failed on a transient error with retries left', () => {
    it('schedules a RETRY counting this one', () => {
      spec
        .given([discovered, claimedBy('b1', 1), started('b1')])
        .when(complete('b1', transient))
        .then([retried('b1', 1)]);
    });

    it('lets the next pass claim it again as a new attempt', () => {
      spec
        .given([discovered, claimedBy('b1', 1), retried('b1', 1)])
        .when(claim('b2'))
        .then([claimedBy('b2', 2, undefined, 'builder-2')]);
    });
  });

  describe('when the build failed on a transient error maxretries times already', () => {
    it('records FAILED', () => {
      spec
        .given([
          discovered,
          claimedBy('b1', 1),
          retried('b1', 1),
          claimedBy('b2', 2),
          retried('b2', 2),
          claimedBy('b3', 3),
          retried('b3', 3),
          claimedBy('b4', 4),
        ])
        .when(complete('b4', transient))
        .then([{ type: 'BuildFailed', data: { buildId: 'b4', repoDir, notes: 'mirror' } }]);
    });

    it('respects a maxretries of 0', () => {
      spec
        .given([discovered, claimedBy('b1', 1)])
        .when(complete('b1', transient, 0))
        .then([{ type: 'BuildFailed', data: { buildId: 'b1', repoDir, notes: 'mirror' } }]);
    });
  });

  describe('when the build failed on an unknown error', () => {
    it('records FAILED at once', () => {
      spec
        .given([discovered, claimedBy('b1', 1)])
        .when(complete('b1', permanent))
        .then([failed('b1')]);
    });
  });

  describe('when a result arrives from a builder that lost its claim', () => {
    it('refuses it', () => {
      spec
        .given([
          discovered,
          claimedBy('b1', 1),
          { type: 'BuildAbandoned', data: { buildId: 'b1', reason: 'lease_expired' } },
          claimedBy('b2', 2),
        ])
        .when(complete('b1', permanent))
        .thenThrows('BUILD_NOT_CLAIMED');
    });
  });

  describe('when the commit was already built', () => {
    it('refuses a new claim after SUCCESS', () => {
      spec
        .given([discovered, claimedBy('b1', 1), succeeded('b1')])
        .when(claim('b2'))
        .thenThrows('BUILD_ALREADY_DONE', /SUCCESS/);
    });

    it('refuses a new claim after FAILED', () => {
      spec
        .given([discovered, claimedBy('b1', 1), failed('b1')])
        .when(claim('b2'))
        .thenThrows('BUILD_ALREADY_DONE', /FAILED/);
    });
  });

  describe('when the last build FAILED and is rechecked', () => {
    const history = [discovered, claimedBy('b1', 1), failed('b1')];
    it('records the recheck', () => {
      spec
        .given(history)
        .when({ type: 'RecheckBuild', force: false, allowForceRechecks: false })
        .then([{ type: 'BuildRechecked', data: { buildId: 'b1', previousStatus: 'FAILED', forced: false } }]);
    });

    it('makes the commit buildable again', () => {
      const rechecked: Payload = {
        type: 'BuildRechecked',
        data: { buildId: 'b1', previousStatus: 'FAILED', forced: false },
      };
      spec
        .given([...history, rechecked])
        .when(claim('b2'))
        .then([claimedBy('b2', 2, undefined, 'builder-2')]);
    });

    it('refuses a second recheck before the rebuild', () => {
      const rechecked: Payload = {
        type: 'BuildRechecked',
        data: { buildId: 'b1', previousStatus: 'FAILED', forced: false },
      };
      spec
        .given([...history, rechecked])
        .when({ type: 'RecheckBuild', force: false, allowForceRechecks: false })
        .thenThrows('NOTHING_TO_RECHECK');
    });
  });

  describe('when the last build succeeded and is rechecked', () => {
    const history = [discovered, claimedBy('b1', 1), succeeded('b1')];
    it('refuses without --force-recheck', () => {
      spec
        .given(history)
        .when({ type: 'RecheckBuild', force: false, allowForceRechecks: true })
        .thenThrows('RECHECK_OF_SUCCESS_REFUSED', /not possible to recheck a successful commit/);
    });

    it('refuses --force-recheck unless allow_force_rechecks is set', () => {
      spec
        .given(history)
        .when({ type: 'RecheckBuild', force: true, allowForceRechecks: false })
        .thenThrows('RECHECK_OF_SUCCESS_REFUSED', /allow_force_rechecks/);
    });

    it('accepts --force-recheck with allow_force_rechecks', () => {
      spec
        .given(history)
        .when({ type: 'RecheckBuild', force: true, allowForceRechecks: true })
        .then([{ type: 'BuildRechecked', data: { buildId: 'b1', previousStatus: 'SUCCESS', forced: true } }]);
    });
  });

  describe('when the last attempt was a RETRY and is rechecked', () => {
    it('does nothing: it will be rebuilt anyway', () => {
      spec
        .given([discovered, claimedBy('b1', 1), retried('b1', 1)])
        .when({ type: 'RecheckBuild', force: false, allowForceRechecks: false })
        .thenNothingHappens();
    });
  });

  describe('when a build is in progress', () => {
    it('refuses a recheck and a purge', () => {
      spec
        .given([discovered, claimedBy('b1', 1)])
        .when({ type: 'RecheckBuild', force: false, allowForceRechecks: false })
        .thenThrows('BUILD_IN_PROGRESS');
      spec
        .given([discovered, claimedBy('b1', 1)])
        .when({ type: 'PurgeBuild', directoryRemoved: true })
        .thenThrows('BUILD_IN_PROGRESS');
    });
  });

  describe('when a finished build is purged', () => {
    it('records the purge of the last result, once', () => {
      const purged: Payload = { type: 'BuildPurged', data: { buildId: 'b1', repoDir, directoryRemoved: true } };
      spec
        .given([discovered, claimedBy('b1', 1), succeeded('b1')])
        .when({ type: 'PurgeBuild', directoryRemoved: true })
        .then([purged]);
      spec
        .given([discovered, claimedBy('b1', 1), succeeded('b1'), purged])
        .when({ type: 'PurgeBuild', directoryRemoved: true })
        .thenNothingHappens();
    });

    it('refuses when nothing was built yet', () => {
      spec.given([discovered]).when({ type: 'PurgeBuild', directoryRemoved: true }).thenThrows('NOTHING_TO_PURGE');
    });
  });

  describe('when the build made a dist-git commit of its own (rhpkg) and moves to that triple', () => {
    const to = {
      toStreamId: 'build-openstack-nova-3f2a1b0c_0123abcd',
      toBuildId: 'b9',
      distroHash: '0123abcd0123abcd0123abcd0123abcd0123abcd',
      dtDistro: 1_700_000_050,
      extendedHash: null,
      dtExtended: null,
      cause: 'rhpkg commit',
    };
    const moved: Payload = { type: 'BuildMoved', data: { buildId: 'b1', ...to } };
    const building = [discovered, claimedBy('b1', 1), started('b1')];

    it('records the move of the claim in force', () => {
      spec.given(building).when({ type: 'MoveBuild', buildId: 'b1', to }).then([moved]);
    });

    it('refuses to move a build that does not hold the claim', () => {
      spec.given(building).when({ type: 'MoveBuild', buildId: 'b0', to }).thenThrows('BUILD_NOT_CLAIMED');
      spec
        .given([discovered, claimedBy('b1', 1), failed('b1')])
        .when({ type: 'MoveBuild', buildId: 'b1', to })
        .thenThrows('BUILD_NOT_CLAIMED');
    });

    it('never lets the old triple be claimed again, naming where its build went', () => {
      spec
        .given([...building, moved])
        .when(claim('b2'))
        .thenThrows(
          'BUILD_ALREADY_DONE',
          /built as another dist-git commit \(build-openstack-nova-3f2a1b0c_0123abcd\)/,
        );
    });

    it('takes no result in the old triple and nothing to recheck there', () => {
      spec
        .given([...building, moved])
        .when(complete('b1', permanent))
        .thenThrows('BUILD_NOT_CLAIMED');
      spec
        .given([...building, moved])
        .when({ type: 'RecheckBuild', force: true, allowForceRechecks: true })
        .thenThrows('NOTHING_TO_RECHECK', /recheck that one/);
    });

    it('folds to the moved phase, keeping the attempt count', () => {
      expect(spec.given([...building, moved]).state()).toMatchObject({
        phase: 'moved',
        movedTo: to.toStreamId,
        attempts: 1,
        last: null,
      });
    });
  });

  describe('when folding a history', () => {
    it('counts attempts and retries across rechecks', () => {
      const state = spec
        .given([
          discovered,
          claimedBy('b1', 1),
          retried('b1', 1),
          claimedBy('b2', 2),
          failed('b2'),
          { type: 'BuildRechecked', data: { buildId: 'b2', previousStatus: 'FAILED', forced: false } },
        ])
        .state();
      expect(state).toMatchObject({
        phase: 'waiting',
        attempts: 2,
        retries: 1,
        last: { buildId: 'b2', status: 'FAILED' },
      });
    });

    it('keeps its history when the same commit is discovered again', () => {
      const state = spec.given([discovered, claimedBy('b1', 1), failed('b1'), discovered]).state();
      expect(state).toMatchObject({ phase: 'built', attempts: 1, last: { buildId: 'b1', status: 'FAILED' } });
    });

    it('a purged result is purged no more once a new attempt ends, RETRY included', () => {
      const purged: Payload = { type: 'BuildPurged', data: { buildId: 'b1', repoDir, directoryRemoved: true } };
      const recheck: Payload = {
        type: 'BuildRechecked',
        data: { buildId: 'b1', previousStatus: 'FAILED', forced: false },
      };
      const before = [discovered, claimedBy('b1', 1), failed('b1'), purged, recheck, claimedBy('b2', 2)];
      for (const end of [retried('b2', 1), failed('b2'), succeeded('b2')]) {
        spec
          .given([...before, end])
          .when({ type: 'PurgeBuild', directoryRemoved: false })
          .then([{ type: 'BuildPurged', data: { buildId: 'b2', repoDir, directoryRemoved: false } }]);
      }
    });
  });
});

describe('build lifecycle: each refusal, word for word', () => {
  const refusal = (history: Payload[], command: Parameters<typeof buildDecider.decide>[0]) => {
    try {
      buildDecider.decide(command, spec.given(history).state());
    } catch (error) {
      const { code, message, details } = error as { code: string; message: string; details: unknown };
      return { code, message, details };
    }
    throw new Error('expected a refusal');
  };
  const hash = commit.commitHash;
  const recheck = { type: 'RecheckBuild', force: false, allowForceRechecks: false } as const;
  const purge = { type: 'PurgeBuild', directoryRemoved: true } as const;

  it.each([
    [
      'a claim of a commit never discovered',
      [],
      claim('b1'),
      'COMMIT_NOT_DISCOVERED',
      'this commit was never discovered for this package',
      {},
    ],
    [
      'a recheck of a commit never discovered',
      [],
      recheck,
      'COMMIT_NOT_DISCOVERED',
      'this commit was never discovered for this package',
      {},
    ],
    [
      'a purge of a commit never discovered',
      [],
      purge,
      'COMMIT_NOT_DISCOVERED',
      'this commit was never discovered for this package',
      {},
    ],
    [
      'a claim after SUCCESS',
      [discovered, claimedBy('b1', 1), succeeded('b1')],
      claim('b2'),
      'BUILD_ALREADY_DONE',
      `commit ${hash} of openstack-nova was already built (SUCCESS); recheck it to build it again`,
      { status: 'SUCCESS' },
    ],
    [
      'a claim of a live claim',
      [discovered, claimedBy('b1', 1)],
      claim('b2'),
      'BUILD_ALREADY_CLAIMED',
      `commit ${hash} of openstack-nova is being built by builder-1`,
      { builderId: 'builder-1', buildId: 'b1' },
    ],
    [
      'a result of a build not holding the claim',
      [discovered, claimedBy('b1', 1)],
      complete('b7', permanent),
      'BUILD_NOT_CLAIMED',
      'build b7 does not hold the claim on this commit',
      { buildId: 'b7' },
    ],
    [
      'a recheck while building',
      [discovered, claimedBy('b1', 1)],
      recheck,
      'BUILD_IN_PROGRESS',
      'the commit is being built; recheck it once the build ends',
      {},
    ],
    [
      'a recheck of a commit never built',
      [discovered],
      recheck,
      'NOTHING_TO_RECHECK',
      'There are no existing commits or the commit to be rechecked is already marked as RETRY.',
      {},
    ],
    [
      'a purge while building',
      [discovered, claimedBy('b1', 1)],
      purge,
      'BUILD_IN_PROGRESS',
      'cannot purge a build in progress',
      {},
    ],
    [
      'a purge of a commit never built',
      [discovered],
      purge,
      'NOTHING_TO_PURGE',
      'this commit has no finished build',
      {},
    ],
  ] as const)('refuses %s', (_what, history, command, code, message, details) => {
    expect(refusal([...history], command)).toEqual({ code, message, details });
  });

  it('names where a moved build went, in the message and the details', () => {
    const moved: Payload = {
      type: 'BuildMoved',
      data: {
        buildId: 'b1',
        toStreamId: 'build-x',
        toBuildId: 'b9',
        distroHash: 'd',
        dtDistro: 1,
        extendedHash: null,
        dtExtended: null,
        cause: 'rhpkg commit',
      },
    };
    expect(refusal([discovered, claimedBy('b1', 1), moved], claim('b2'))).toEqual({
      code: 'BUILD_ALREADY_DONE',
      message: `commit ${hash} of openstack-nova was built as another dist-git commit (build-x)`,
      details: { movedTo: 'build-x' },
    });
  });

  it('takes a claim over when its lease ends at this very moment, not a millisecond before', () => {
    spec
      .given([discovered, claimedBy('b1', 1, now.toISOString())])
      .when(claim('b2'))
      .then([
        { type: 'BuildAbandoned', data: { buildId: 'b1', reason: 'lease_expired' } },
        claimedBy('b2', 2, undefined, 'builder-2'),
      ]);
    spec
      .given([discovered, claimedBy('b1', 1, new Date(now.getTime() + 1).toISOString())])
      .when(claim('b2'))
      .thenThrows('BUILD_ALREADY_CLAIMED');
  });

  it('refuses a command or an event it does not know, naming what it is', () => {
    expect(() => buildDecider.decide({ type: 'Nope' } as never, buildDecider.initialState())).toThrow(
      'unexpected build command: {"type":"Nope"}',
    );
    expect(() => buildDecider.evolve(spec.given([discovered]).state(), { type: 'Nope' } as never)).toThrow(
      'unexpected build event: {"type":"Nope"}',
    );
    const odd = { phase: 'odd' } as never;
    expect(() => buildDecider.decide(claim('b1'), odd)).toThrow('unexpected build state: {"phase":"odd"}');
    expect(() => buildDecider.decide({ type: 'RecheckBuild', force: false, allowForceRechecks: false }, odd)).toThrow(
      'unexpected build state: {"phase":"odd"}',
    );
  });
});
