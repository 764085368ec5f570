import type { Decider } from '../shared/decider.js';
import { DomainError, assertNever } from '../shared/errors.js';
import type { EventPayload } from '../shared/event.js';
import type {
  BeginBuild,
  BuildCommand,
  ClaimBuild,
  CompleteBuild,
  MoveBuild,
  PurgeBuild,
  RecheckBuild,
} from './build.commands.js';
import type { BuildEvent } from './build.events.js';
import { knownOf, type BuildState } from './build.state.js';

type Payload = EventPayload<BuildEvent>;

export class BuildRuleError extends DomainError {}

function notDiscovered(): never {
  throw new BuildRuleError('COMMIT_NOT_DISCOVERED', 'this commit was never discovered for this package');
}

function claim(command: ClaimBuild, state: BuildState): Payload[] {
  switch (state.phase) {
    case 'unknown':
      return notDiscovered();
    case 'built':
      throw new BuildRuleError(
        'BUILD_ALREADY_DONE',
        `commit ${state.commit.commitHash} of ${state.commit.package} was already built (${state.last?.status}); recheck it to build it again`,
        { status: state.last?.status },
      );
    case 'moved':
      throw new BuildRuleError(
        'BUILD_ALREADY_DONE',
        `commit ${state.commit.commitHash} of ${state.commit.package} was built as another dist-git commit (${state.movedTo})`,
        { movedTo: state.movedTo },
      );
    case 'building': {
      // A builder that finds its own claim was restarted: the claim is stale whatever its lease.
      // So is one whose holder the claimant saw stopped (a dead process of its own host).
      if (state.current.builderId === command.builderId || state.current.builderId === command.stoppedHolder) {
        return [
          { type: 'BuildAbandoned', data: { buildId: state.current.buildId, reason: 'builder_stopped' } },
          claimed(command, state.attempts + 1),
        ];
      }
      if (Date.parse(state.current.leaseExpiresAt) > command.now.getTime()) {
        throw new BuildRuleError(
          'BUILD_ALREADY_CLAIMED',
          `commit ${state.commit.commitHash} of ${state.commit.package} is being built by ${state.current.builderId}`,
          { builderId: state.current.builderId, buildId: state.current.buildId },
        );
      }
      return [
        { type: 'BuildAbandoned', data: { buildId: state.current.buildId, reason: 'lease_expired' } },
        claimed(command, state.attempts + 1),
      ];
    }
    case 'waiting':
      return [claimed(command, state.attempts + 1)];
    default:
      return assertNever(state, 'build state');
  }
}

function claimed(command: ClaimBuild, attempt: number): Payload {
  return {
    type: 'BuildClaimed',
    data: {
      buildId: command.buildId,
      attempt,
      builderId: command.builderId,
      leaseExpiresAt: new Date(command.now.getTime() + command.leaseMs).toISOString(),
    },
  };
}

function requireCurrent(state: BuildState, buildId: string): Extract<BuildState, { phase: 'building' }> {
  if (state.phase !== 'building' || state.current.buildId !== buildId) {
    throw new BuildRuleError('BUILD_NOT_CLAIMED', `build ${buildId} does not hold the claim on this commit`, {
      buildId,
    });
  }
  return state;
}

function complete(command: CompleteBuild, state: BuildState): Payload[] {
  const building = requireCurrent(state, command.buildId);
  const { outcome, buildId, repoDir } = command;
  if (outcome.status === 'success') {
    // One append: a SUCCESS is never recorded without the repository that publishes it.
    return [
      {
        type: 'BuildSucceeded',
        data: { buildId, artifacts: outcome.artifacts, nvr: outcome.nvr, repoDir, notes: 'OK' },
      },
      { type: 'RepoPublished', data: { buildId, ...outcome.publication } },
    ];
  }
  // DLRN: a transient error is retried while fewer than `maxretries` RETRY rows exist.
  if (outcome.transientError !== null && building.retries < command.maxRetries) {
    return [
      {
        type: 'BuildRetryScheduled',
        data: {
          buildId,
          repoDir,
          notes: outcome.notes,
          matchedError: outcome.transientError,
          retries: building.retries + 1,
          maxRetries: command.maxRetries,
        },
      },
    ];
  }
  return [{ type: 'BuildFailed', data: { buildId, repoDir, notes: outcome.notes } }];
}

function recheck(command: RecheckBuild, state: BuildState): Payload[] {
  switch (state.phase) {
    case 'unknown':
      return notDiscovered();
    case 'moved':
      throw new BuildRuleError(
        'NOTHING_TO_RECHECK',
        `the build of this commit went on as another dist-git commit (${state.movedTo}): recheck that one`,
      );
    case 'building':
      throw new BuildRuleError('BUILD_IN_PROGRESS', 'the commit is being built; recheck it once the build ends');
    case 'waiting':
      // Last attempt was RETRY (it will be rebuilt anyway) or it was rechecked already.
      if (state.last?.status === 'RETRY') return [];
      throw new BuildRuleError(
        'NOTHING_TO_RECHECK',
        'There are no existing commits or the commit to be rechecked is already marked as RETRY.',
      );
    case 'built': {
      const last = state.last!;
      if (last.status === 'SUCCESS') {
        if (!command.force || !command.allowForceRechecks) {
          throw new BuildRuleError(
            'RECHECK_OF_SUCCESS_REFUSED',
            command.force
              ? 'Force recheck is disabled: set allow_force_rechecks=true in the configuration'
              : "It's not possible to recheck a successful commit",
          );
        }
        return [{ type: 'BuildRechecked', data: { buildId: last.buildId, previousStatus: 'SUCCESS', forced: true } }];
      }
      return [
        { type: 'BuildRechecked', data: { buildId: last.buildId, previousStatus: 'FAILED', forced: command.force } },
      ];
    }
    default:
      return assertNever(state, 'build state');
  }
}

function purge(command: PurgeBuild, state: BuildState): Payload[] {
  if (state.phase === 'unknown') return notDiscovered();
  if (state.phase === 'building') throw new BuildRuleError('BUILD_IN_PROGRESS', 'cannot purge a build in progress');
  if (state.purged) return [];
  if (state.last === null) throw new BuildRuleError('NOTHING_TO_PURGE', 'this commit has no finished build');
  return [
    {
      type: 'BuildPurged',
      data: { buildId: state.last.buildId, repoDir: state.last.repoDir, directoryRemoved: command.directoryRemoved },
    },
  ];
}

/** Only the claim in force moves. */
function move(command: MoveBuild, state: BuildState): Payload[] {
  requireCurrent(state, command.buildId);
  return [{ type: 'BuildMoved', data: { buildId: command.buildId, ...command.to } }];
}

/** Each step decided on the state the previous step's events left: one rule set, one append. */
function begin(command: BeginBuild, state: BuildState): Payload[] {
  const steps: BuildCommand[] = [
    { type: 'DiscoverCommit', commit: command.commit },
    { type: 'ClaimBuild', ...command.claim },
    { type: 'StartBuild', buildId: command.claim.buildId, ...command.start },
  ];
  const events: Payload[] = [];
  let current = state;
  for (const step of steps) {
    const decided = decide(step, current);
    for (const event of decided) current = evolve(current, event);
    events.push(...decided);
  }
  return events;
}

function decide(command: BuildCommand, state: BuildState): Payload[] {
  switch (command.type) {
    case 'DiscoverCommit':
      return state.phase === 'unknown' ? [{ type: 'CommitDiscovered', data: command.commit }] : [];
    case 'ClaimBuild':
      return claim(command, state);
    case 'StartBuild': {
      const building = requireCurrent(state, command.buildId);
      if (building.current.dtBuild !== null) return [];
      const { buildId, dtBuild, workerId, driver } = command;
      return [{ type: 'BuildStarted', data: { buildId, dtBuild, workerId, driver } }];
    }
    case 'BeginBuild':
      return begin(command, state);
    case 'CompleteBuild':
      return complete(command, state);
    case 'RecheckBuild':
      return recheck(command, state);
    case 'PurgeBuild':
      return purge(command, state);
    case 'MoveBuild':
      return move(command, state);
    case 'AbandonBuild':
      // The event's published reasons: a claimant that stops its own build is 'builder_stopped'.
      return state.phase === 'building' && state.current.buildId === command.buildId
        ? [{ type: 'BuildAbandoned', data: { buildId: command.buildId, reason: 'builder_stopped' } }]
        : [];
    default:
      return assertNever(command, 'build command');
  }
}

function evolve(state: BuildState, event: Payload): BuildState {
  if (event.type === 'CommitDiscovered') {
    if (state.phase !== 'unknown') return state;
    return {
      phase: 'waiting',
      commit: event.data,
      attempts: 0,
      retries: 0,
      last: null,
      purged: false,
    };
  }
  if (state.phase === 'unknown') return state;
  const known = knownOf(state);
  switch (event.type) {
    case 'BuildClaimed':
      return {
        ...known,
        phase: 'building',
        attempts: event.data.attempt,
        current: { ...event.data, dtBuild: null },
      };
    case 'BuildAbandoned':
      return { ...known, phase: 'waiting' };
    case 'BuildMoved':
      return { ...known, phase: 'moved', movedTo: event.data.toStreamId };
    case 'BuildStarted':
      return state.phase === 'building'
        ? { ...state, current: { ...state.current, dtBuild: event.data.dtBuild } }
        : state;
    case 'BuildSucceeded':
    case 'BuildFailed': {
      const status = event.type === 'BuildSucceeded' ? 'SUCCESS' : 'FAILED';
      const last = { buildId: event.data.buildId, status, repoDir: event.data.repoDir } as const;
      return { ...known, phase: 'built', last, purged: false };
    }
    case 'BuildRetryScheduled': {
      const last = { buildId: event.data.buildId, status: 'RETRY', repoDir: event.data.repoDir } as const;
      return { ...known, phase: 'waiting', retries: event.data.retries, last, purged: false };
    }
    case 'BuildRechecked':
      return { ...known, phase: 'waiting' };
    case 'BuildPurged':
      return { ...state, purged: true };
    case 'RepoPublished':
      return state;
    default:
      return assertNever(event, 'build event');
  }
}

/** The life of one (package, commit triple): discovery, claims, results, rechecks, purge. */
export const buildDecider: Decider<BuildCommand, BuildState, BuildEvent> = {
  decide,
  evolve,
  initialState: () => ({ phase: 'unknown' }),
};
