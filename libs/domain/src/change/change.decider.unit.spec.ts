import { describe, expect, it } from 'vitest';
import { deciderSpec } from '../../../../test/support/decider-spec.js';
import type { EventPayload } from '../shared/event.js';
import { changeBuildDecider, type RequestChangeBuild } from './change.decider.js';
import { changeBuildStreamId, changeRepoPath, type ChangeBuildEvent } from './change.events.js';
import { changeFetchRef, packagesChangedBy } from './change-match.js';

type Payload = EventPayload<ChangeBuildEvent>;
const spec = deciderSpec(changeBuildDecider);

const key = { forge: 'gerrit', change: '12345', package: 'openstack-nova', side: 'upstream' } as const;
const now = new Date('2026-12-06T01:00:00Z');

const ask = (patchset: number | null, headSha: string, deliveryId: string): RequestChangeBuild => ({
  type: 'RequestChangeBuild',
  data: {
    ...key,
    patchset,
    repositoryUrl: 'https://opendev.org/openstack/nova',
    fetchRef: 'refs/changes/45/12345/1',
    headSha,
    deliveryId,
    requestedAt: now.toISOString(),
  },
});
const requested = (patchset: number, headSha: string, deliveryId: string): Payload => ({
  type: 'ChangeBuildRequested',
  data: { ...ask(patchset, headSha, deliveryId).data, patchset },
});
const started = (patchset: number, builderId = 'b1', leaseExpiresAt = '2026-12-06T07:00:00.000Z'): Payload => ({
  type: 'ChangeBuildStarted',
  data: { ...key, patchset, builderId, startedAt: now.toISOString(), leaseExpiresAt },
});
const start = (patchset: number, builderId = 'b1') =>
  ({ type: 'StartChangeBuild', data: { patchset, builderId, now, leaseMs: 6 * 3600_000 } }) as const;
const success = {
  status: 'success',
  repoPath: 'repos/changes/x',
  rpms: ['a.rpm'],
  nvr: 'a-1-1',
  repoFile: 'a.repo',
} as const;

describe('change build decider', () => {
  describe('when nothing was requested', () => {
    it('records the request', () => {
      spec
        .given([])
        .when(ask(1, 'a'.repeat(40), 'd1'))
        .then([requested(1, 'a'.repeat(40), 'd1')]);
    });
    it('numbers the first head 1 when the forge names no patch set', () => {
      spec
        .given([])
        .when(ask(null, 'a'.repeat(40), 'd1'))
        .then([requested(1, 'a'.repeat(40), 'd1')]);
    });
    it('starts nothing', () => {
      spec.given([]).when(start(1)).thenNothingHappens();
    });
  });

  describe('when patch set 1 is queued', () => {
    const history = [requested(1, 'a'.repeat(40), 'd1')];
    it('a newer patch set supersedes it', () => {
      spec
        .given(history)
        .when(ask(2, 'b'.repeat(40), 'd2'))
        .then([
          requested(2, 'b'.repeat(40), 'd2'),
          { type: 'ChangeBuildSuperseded', data: { ...key, patchset: 1, byPatchset: 2 } },
        ]);
    });
    it('a new head without a patch set number is the next one', () => {
      spec
        .given(history)
        .when(ask(null, 'b'.repeat(40), 'd2'))
        .then([
          requested(2, 'b'.repeat(40), 'd2'),
          { type: 'ChangeBuildSuperseded', data: { ...key, patchset: 1, byPatchset: 2 } },
        ]);
    });
    it('a replayed delivery does nothing', () => {
      spec
        .given(history)
        .when(ask(1, 'a'.repeat(40), 'd1'))
        .thenNothingHappens();
    });
    it('the same head under another delivery id does nothing', () => {
      spec
        .given(history)
        .when(ask(null, 'a'.repeat(40), 'd9'))
        .thenNothingHappens();
    });
    it('one builder starts it', () => {
      spec
        .given(history)
        .when(start(1))
        .then([started(1)]);
    });
    it('closing the change cancels it', () => {
      spec
        .given(history)
        .when({ type: 'CloseChange', data: { ...key, reason: 'merged', deliveryId: 'd3' } })
        .then([{ type: 'ChangeBuildCancelled', data: { ...key, patchset: 1, reason: 'merged' } }]);
    });
  });

  describe('when patch set 2 came after 1', () => {
    const history = [
      requested(1, 'a'.repeat(40), 'd1'),
      requested(2, 'b'.repeat(40), 'd2'),
      { type: 'ChangeBuildSuperseded', data: { ...key, patchset: 1, byPatchset: 2 } } as Payload,
    ];
    it('patch set 1 arriving late (older than the newest) is ignored', () => {
      spec
        .given(history)
        .when(ask(1, 'c'.repeat(40), 'd3'))
        .thenNothingHappens();
    });
    it('the superseded one is never started', () => {
      spec.given(history).when(start(1)).thenNothingHappens();
    });
  });

  describe('when patch set 1 is running', () => {
    const history = [requested(1, 'a'.repeat(40), 'd1'), started(1)];
    it('a second start does nothing (one start per request)', () => {
      spec.given(history).when(start(1, 'b2')).thenNothingHappens();
    });
    it('another builder takes it over at once from a holder it saw stopped', () => {
      spec
        .given(history)
        .when({ type: 'StartChangeBuild', data: { ...start(1, 'b2').data, stoppedHolder: 'b1' } })
        .then([started(1, 'b2')]);
      spec
        .given(history)
        .when({ type: 'StartChangeBuild', data: { ...start(1, 'b2').data, stoppedHolder: 'b9' } })
        .thenNothingHappens();
    });
    it('another builder takes it over once the lease expired', () => {
      spec
        .given([requested(1, 'a'.repeat(40), 'd1'), started(1, 'b1', '2026-12-06T00:00:00.000Z')])
        .when(start(1, 'b2'))
        .then([started(1, 'b2')]);
    });
    it('a newer patch set does not supersede it yet; it is marked superseded when it ends', () => {
      spec
        .given(history)
        .when(ask(2, 'b'.repeat(40), 'd2'))
        .then([requested(2, 'b'.repeat(40), 'd2')]);
      spec
        .given([...history, requested(2, 'b'.repeat(40), 'd2')])
        .when({ type: 'CompleteChangeBuild', data: { patchset: 1, builderId: 'b1', outcome: success } })
        .then([
          {
            type: 'ChangeBuildSucceeded',
            data: {
              ...key,
              patchset: 1,
              repoPath: success.repoPath,
              rpms: success.rpms,
              nvr: success.nvr,
              repoFile: success.repoFile,
            },
          },
          { type: 'ChangeBuildSuperseded', data: { ...key, patchset: 1, byPatchset: 2 } },
        ]);
    });
    it('its holder records a failure; another builder records nothing', () => {
      const failure = {
        status: 'failure',
        reason: 'rpmbuild failed',
        logPath: 'repos/changes/x/rpmbuild.log',
      } as const;
      spec
        .given(history)
        .when({ type: 'CompleteChangeBuild', data: { patchset: 1, builderId: 'b1', outcome: failure } })
        .then([
          {
            type: 'ChangeBuildFailed',
            data: { ...key, patchset: 1, reason: failure.reason, logPath: failure.logPath },
          },
        ]);
      spec
        .given(history)
        .when({ type: 'CompleteChangeBuild', data: { patchset: 1, builderId: 'b2', outcome: failure } })
        .thenNothingHappens();
    });
  });

  describe('when patch set 1 succeeded', () => {
    const repoPath = 'repos/changes/gerrit/12345/1/openstack-nova';
    const history: Payload[] = [
      requested(1, 'a'.repeat(40), 'd1'),
      started(1),
      {
        type: 'ChangeBuildSucceeded',
        data: { ...key, patchset: 1, repoPath, rpms: [], nvr: 'n', repoFile: 'f' },
      },
    ];
    it('purging records the removal of its directory once', () => {
      spec
        .given(history)
        .when({ type: 'PurgeChangeBuild', data: { patchset: 1 } })
        .then([{ type: 'ChangeBuildPurged', data: { ...key, patchset: 1, repoPath } }]);
      spec
        .given([...history, { type: 'ChangeBuildPurged', data: { ...key, patchset: 1, repoPath } }])
        .when({ type: 'PurgeChangeBuild', data: { patchset: 1 } })
        .thenNothingHappens();
    });
    it('a patch set that never ran has nothing to purge', () => {
      spec
        .given([...history, requested(2, 'b'.repeat(40), 'd2')])
        .when({ type: 'PurgeChangeBuild', data: { patchset: 2 } })
        .thenNothingHappens();
    });
  });
});

describe('change build decider, at the edges', () => {
  const head = (n: number) => n.toString(16).padStart(40, '0');
  const failed = (patchset: number): Payload => ({
    type: 'ChangeBuildFailed',
    data: { ...key, patchset, reason: 'r', logPath: null },
  });
  /** Patch set 1 failed, 2 is running, 3 is queued. */
  const endedRunningQueued = (): Payload[] => [
    requested(1, head(1), 'd1'),
    started(1),
    failed(1),
    requested(2, head(2), 'd2'),
    started(2),
    requested(3, head(3), 'd3'),
  ];
  const purgeOf = (patchset: number) => ({ type: 'PurgeChangeBuild', data: { patchset } }) as const;
  const purged = (patchset: number): Payload => ({
    type: 'ChangeBuildPurged',
    data: { ...key, patchset, repoPath: changeRepoPath(key, patchset) },
  });

  it('a request naming the newest patch set number again, with another head, does nothing', () => {
    spec
      .given([requested(3, head(1), 'd1')])
      .when(ask(3, head(2), 'd2'))
      .thenNothingHappens();
  });

  it('a new patch set supersedes every queued older one, and none that ran', () => {
    spec
      .given([...endedRunningQueued(), requested(4, head(4), 'd4')])
      .when(ask(null, head(5), 'd5'))
      .then([
        requested(5, head(5), 'd5'),
        { type: 'ChangeBuildSuperseded', data: { ...key, patchset: 3, byPatchset: 5 } },
        { type: 'ChangeBuildSuperseded', data: { ...key, patchset: 4, byPatchset: 5 } },
      ]);
  });

  it('remembers the last 200 delivery ids: the 201st-last is read as new', () => {
    const history = Array.from({ length: 201 }, (_, i) => [
      requested(i + 1, head(i + 1), `d${i}`),
      started(i + 1),
      failed(i + 1),
    ]).flat();
    spec
      .given(history)
      .when(ask(null, head(999), 'd1'))
      .thenNothingHappens();
    spec
      .given(history)
      .when(ask(null, head(999), 'd0'))
      .then([requested(202, head(999), 'd0')]);
  });

  it('takes a running build over when its lease ends at this very moment, not a millisecond before', () => {
    spec
      .given([requested(1, head(1), 'd1'), started(1, 'b1', now.toISOString())])
      .when(start(1, 'b2'))
      .then([started(1, 'b2')]);
    spec
      .given([requested(1, head(1), 'd1'), started(1, 'b1', new Date(now.getTime() + 1).toISOString())])
      .when(start(1, 'b2'))
      .thenNothingHappens();
  });

  it('a build that ended is not started again, even with an old lease', () => {
    spec
      .given([requested(1, head(1), 'd1'), started(1, 'b1', '2026-01-01T00:00:00.000Z'), failed(1)])
      .when({ type: 'StartChangeBuild', data: { ...start(1, 'b2').data, stoppedHolder: 'b1' } })
      .thenNothingHappens();
  });

  it('gives the new holder a lease of leaseMs from now', () => {
    spec
      .given([requested(1, head(1), 'd1')])
      .when({ type: 'StartChangeBuild', data: { patchset: 1, builderId: 'b3', now, leaseMs: 90_000 } })
      .then([started(1, 'b3', '2026-12-06T01:01:30.000Z')]);
  });

  it('records one result: a second completion, or one of a queued build, does nothing', () => {
    const done = [requested(1, head(1), 'd1'), started(1), failed(1)];
    spec
      .given(done)
      .when({ type: 'CompleteChangeBuild', data: { patchset: 1, builderId: 'b1', outcome: success } })
      .thenNothingHappens();
    spec
      .given([requested(1, head(1), 'd1')])
      .when({ type: 'CompleteChangeBuild', data: { patchset: 1, builderId: 'b1', outcome: success } })
      .thenNothingHappens();
    spec
      .given(done)
      .when({ type: 'CompleteChangeBuild', data: { patchset: 7, builderId: 'b1', outcome: success } })
      .thenNothingHappens();
  });

  it('the holder that took a build over records its result; the one it took it from records nothing', () => {
    const history = [requested(1, head(1), 'd1'), started(1, 'b1', '2026-01-01T00:00:00.000Z'), started(1, 'b2')];
    spec
      .given(history)
      .when({ type: 'CompleteChangeBuild', data: { patchset: 1, builderId: 'b1', outcome: success } })
      .thenNothingHappens();
    spec
      .given(history)
      .when({ type: 'CompleteChangeBuild', data: { patchset: 1, builderId: 'b2', outcome: success } })
      .then([
        {
          type: 'ChangeBuildSucceeded',
          data: { ...key, patchset: 1, repoPath: 'repos/changes/x', rpms: ['a.rpm'], nvr: 'a-1-1', repoFile: 'a.repo' },
        },
      ]);
  });

  it('closing cancels every queued patch set and leaves the running and ended ones', () => {
    spec
      .given(endedRunningQueued())
      .when({ type: 'CloseChange', data: { ...key, reason: 'closed', deliveryId: 'c1' } })
      .then([{ type: 'ChangeBuildCancelled', data: { ...key, patchset: 3, reason: 'closed' } }]);
  });

  it('a close delivered under an id already recorded does nothing', () => {
    spec
      .given([requested(1, head(1), 'd1')])
      .when({ type: 'CloseChange', data: { ...key, reason: 'closed', deliveryId: 'd1' } })
      .thenNothingHappens();
  });

  it('purges a failed build, and one superseded after it ran, once', () => {
    const history = endedRunningQueued();
    spec
      .given(history)
      .when(purgeOf(1))
      .then([purged(1)]);
    spec
      .given([...history, failed(2), { type: 'ChangeBuildSuperseded', data: { ...key, patchset: 2, byPatchset: 3 } }])
      .when(purgeOf(2))
      .then([purged(2)]);
    spec
      .given([...history, purged(1)])
      .when(purgeOf(1))
      .thenNothingHappens();
  });

  it('purges nothing of a running, queued, cancelled or unknown patch set', () => {
    const history = [requested(1, head(1), 'd1'), started(1), requested(2, head(2), 'd2')];
    spec.given(history).when(purgeOf(1)).thenNothingHappens();
    spec.given(history).when(purgeOf(2)).thenNothingHappens();
    spec.given(history).when(purgeOf(9)).thenNothingHappens();
    spec
      .given([...history, { type: 'ChangeBuildCancelled', data: { ...key, patchset: 2, reason: 'closed' } } as Payload])
      .when(purgeOf(2))
      .thenNothingHappens();
  });

  it('folds each patch set to its own status, purged or not', () => {
    const state = spec
      .given([
        requested(1, head(1), 'd1'),
        started(1),
        {
          type: 'ChangeBuildSucceeded',
          data: { ...key, patchset: 1, repoPath: 'r', rpms: [], nvr: 'n', repoFile: 'f' },
        },
        purged(1),
        requested(2, head(2), 'd2'),
        started(2, 'b2'),
        failed(2),
        requested(3, head(3), 'd3'),
        requested(4, head(4), 'd4'),
        { type: 'ChangeBuildSuperseded', data: { ...key, patchset: 3, byPatchset: 4 } },
        requested(5, head(5), 'd5'),
        started(5, 'b5'),
        requested(6, head(6), 'd6'),
        { type: 'ChangeBuildCancelled', data: { ...key, patchset: 6, reason: 'closed' } },
      ])
      .state();
    expect(state.patchsets.map((p) => [p.patchset, p.status, p.builderId, p.purged])).toEqual([
      [1, 'succeeded', 'b1', true],
      [2, 'failed', 'b2', false],
      [3, 'superseded', null, false],
      [4, 'queued', null, false],
      [5, 'running', 'b5', false],
      [6, 'cancelled', null, false],
    ]);
    expect(state.patchsets[4]!.leaseExpiresAt).toBe('2026-12-06T07:00:00.000Z');
  });

  it('refuses an event or a command it does not know, naming what it is', () => {
    const state = changeBuildDecider.initialState();
    expect(() => changeBuildDecider.evolve(state, { type: 'Nope' } as never)).toThrow(
      'unexpected change build event: {"type":"Nope"}',
    );
    expect(() => changeBuildDecider.decide({ type: 'Nope' } as never, state)).toThrow(
      'unexpected change build command: {"type":"Nope"}',
    );
  });

  it('keeps the key of its first request in the state', () => {
    expect(spec.given([requested(1, head(1), 'd1')]).state().key).toEqual(key);
    expect(spec.given([]).state().key).toBeNull();
  });
});

describe('change identities', () => {
  it('validates every part of the stream id and the repository path', () => {
    expect(changeBuildStreamId(key)).toBe('changebuild-gerrit_upstream_12345_openstack-nova');
    expect(changeRepoPath({ ...key, side: 'distgit' }, 3)).toBe('repos/changes/gerrit/12345/3/openstack-nova_distro');
    expect(() => changeBuildStreamId({ ...key, change: '../1' })).toThrow(/change number/);
    expect(() => changeBuildStreamId({ ...key, change: '01' })).toThrow(/change number/);
    for (const change of ['1x', 'x1', '1234567890123', '0', ''])
      expect(() => changeBuildStreamId({ ...key, change }), change).toThrow(/change number/);
    expect(changeBuildStreamId({ ...key, change: '123456789012' })).toBe(
      'changebuild-gerrit_upstream_123456789012_openstack-nova',
    );
    expect(() => changeBuildStreamId({ ...key, package: 'a/b' })).toThrow(/package name/);
    expect(() => changeRepoPath(key, 0)).toThrow(/patch set/);
  });

  it('builds fetch refs from the numbers', () => {
    expect(changeFetchRef('github', '7', null)).toBe('refs/pull/7/head');
    expect(changeFetchRef('gitea', '7', null)).toBe('refs/pull/7/head');
    expect(changeFetchRef('gitlab', '7', null)).toBe('refs/merge-requests/7/head');
    expect(changeFetchRef('gerrit', '12345', 2)).toBe('refs/changes/45/12345/2');
    expect(changeFetchRef('gerrit', '5', 1)).toBe('refs/changes/05/5/1');
  });

  it('matches packages by URL and followed branch, on either side, keeping the metadata URL', () => {
    const packages = [
      {
        name: 'nova',
        project: 'nova',
        upstream: 'https://github.com/openstack/nova',
        'master-distgit': 'https://github.com/rdo/nova-distgit',
        maintainers: [],
      },
    ];
    const defaults = { source: 'master', distro: 'rpm-master' };
    expect(
      packagesChangedBy(
        packages,
        { repositoryUrls: ['git@github.com:openstack/nova.git'], targetBranch: 'master' },
        defaults,
      ),
    ).toEqual([{ package: 'nova', side: 'upstream', repositoryUrl: 'https://github.com/openstack/nova' }]);
    expect(
      packagesChangedBy(
        packages,
        { repositoryUrls: ['https://github.com/rdo/nova-distgit'], targetBranch: 'rpm-master' },
        defaults,
      ),
    ).toEqual([{ package: 'nova', side: 'distgit', repositoryUrl: 'https://github.com/rdo/nova-distgit' }]);
    expect(
      packagesChangedBy(
        packages,
        { repositoryUrls: ['https://github.com/openstack/nova'], targetBranch: 'feature' },
        defaults,
      ),
    ).toEqual([]);
    expect(
      packagesChangedBy(packages, { repositoryUrls: [], project: 'openstack/nova', targetBranch: 'master' }, defaults),
    ).toEqual([{ package: 'nova', side: 'upstream', repositoryUrl: 'https://github.com/openstack/nova' }]);
  });
});
