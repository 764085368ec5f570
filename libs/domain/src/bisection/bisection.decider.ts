import type { Decider } from '../shared/decider.js';
import { DomainError, assertNever } from '../shared/errors.js';
import type { EventPayload } from '../shared/event.js';
import type {
  BisectionEnd,
  BisectionEvent,
  BisectionInconclusive,
  BisectionTrigger,
  BisectionVerdict,
} from './bisection.events.js';
import type { BisectionState, StartedBisection } from './bisection.state.js';

type Payload = EventPayload<BisectionEvent>;

export class BisectionRuleError extends DomainError {}

/**
 * Start: `candidates` are the first-parent commits after good up to and including bad, oldest
 * first, or `not_an_ancestor` when good is not on bad's first-parent line. Starting a bisection
 * that exists already records nothing (one stream per package and good/bad pair).
 */
export interface StartBisection {
  readonly type: 'StartBisection';
  readonly bisectionId: string;
  readonly package: string;
  readonly good: BisectionEnd;
  readonly bad: BisectionEnd;
  readonly candidates: readonly string[] | 'not_an_ancestor';
  readonly trigger: BisectionTrigger;
}

/**
 * The build of the pending step ended. `sameFailure`: whether a FAILED step failed as the first
 * bad build did (compared failure signatures), null when there is nothing to compare with.
 * `retriesExhausted`: the step failed transiently until `maxretries`.
 */
export interface RecordStepResult {
  readonly type: 'RecordStepResult';
  readonly step: number;
  readonly commitHash: string;
  readonly buildId: string;
  readonly status: 'SUCCESS' | 'FAILED';
  readonly sameFailure: boolean | null;
  readonly retriesExhausted: boolean;
  /** For a human, when the step is skipped (the differing failure line). */
  readonly detail?: string;
}

/** The pending step cannot be built: its commit is gone from upstream. */
export interface AbandonStep {
  readonly type: 'AbandonStep';
  readonly step: number;
  readonly reason: 'vanished_commit';
  readonly detail: string;
}

export type BisectionCommand = StartBisection | RecordStepResult | AbandonStep;

/** git bisect's midpoint between the last known good and the first known bad index. */
export function midpoint(lo: number, hi: number): number {
  return Math.floor((lo + hi) / 2);
}

/** Builds at most needed to bisect `n` candidates: ⌈log2 n⌉ (0 for one candidate). */
export function maxSteps(n: number): number {
  return n < 2 ? 0 : Math.ceil(Math.log2(n));
}

function start(command: StartBisection, state: BisectionState): Payload[] {
  if (state.phase !== 'none') return [];
  const { bisectionId, good, bad, trigger } = command;
  const pkg = command.package;
  const candidates = command.candidates === 'not_an_ancestor' ? [] : command.candidates;
  const started: Payload = {
    type: 'BisectionStarted',
    data: { bisectionId, package: pkg, good, bad, candidates, trigger },
  };
  if (command.candidates === 'not_an_ancestor') {
    return [
      started,
      inconclusive(
        bisectionId,
        pkg,
        'not_an_ancestor',
        `${good.commitHash} is not on the first-parent line of ${bad.commitHash}`,
        0,
      ),
    ];
  }
  if (candidates.length === 0) {
    return [started, inconclusive(bisectionId, pkg, 'no_candidates', `no commit after ${good.commitHash}`, 0)];
  }
  if (candidates.at(-1) !== bad.commitHash) {
    throw new BisectionRuleError(
      'BISECTION_BAD_RANGE',
      `the candidates of ${bisectionId} must end with the bad commit ${bad.commitHash}`,
    );
  }
  return [started, next(startedState(started), -1, candidates.length - 1)];
}

/** The event that follows a narrowed range: the culprit when lo and hi touch, else a new step. */
function next(state: StartedBisection, lo: number, hi: number): Payload {
  if (hi - lo <= 1) {
    const culprit = state.candidates[hi]!;
    // hi moves only to a step that built bad, and each commit is built once: the culprit is that
    // step's commit, or bad itself (never moved from the last candidate).
    const stepBuild = state.results.find((result) => result.commitHash === culprit);
    return {
      type: 'CulpritIdentified',
      data: {
        bisectionId: state.bisectionId,
        package: state.package,
        commitHash: culprit,
        distroHash: state.bad.distroHash,
        buildId: stepBuild?.buildId ?? state.bad.buildId,
        lastGoodCommitHash: lo < 0 ? state.good.commitHash : state.candidates[lo]!,
        steps: state.results.length,
      },
    };
  }
  const index = midpoint(lo, hi);
  return {
    type: 'BisectionStepRequested',
    data: {
      bisectionId: state.bisectionId,
      package: state.package,
      commitHash: state.candidates[index]!,
      distroHash: state.bad.distroHash,
      step: state.results.length + 1,
    },
  };
}

function inconclusive(
  bisectionId: string,
  pkg: string,
  reason: BisectionInconclusive['data']['reason'],
  detail: string,
  steps: number,
): Payload {
  return { type: 'BisectionInconclusive', data: { bisectionId, package: pkg, reason, detail, steps } };
}

function running(state: BisectionState, step: number): StartedBisection | null {
  if (state.phase === 'none') {
    throw new BisectionRuleError('BISECTION_NOT_STARTED', 'this bisection was never started');
  }
  if (state.pending?.step === step) return state;
  // A result (or abandon) told twice, e.g. by a pass that crashed after recording it: nothing new.
  // Steps are numbered 1, 2, … in order, so an earlier one is recorded, and the one after the last
  // result, when not pending, was abandoned or ended the bisection.
  if (step <= state.results.length + 1) return null;
  throw new BisectionRuleError(
    'BISECTION_STEP_NOT_PENDING',
    `step ${step} of ${state.bisectionId} is not the pending step (${state.pending ? `step ${state.pending.step}` : 'none'})`,
    { step },
  );
}

function recordStep(command: RecordStepResult, state: BisectionState): Payload[] {
  const current = running(state, command.step);
  if (current === null) return [];
  const pending = current.pending!;
  if (pending.commitHash !== command.commitHash) {
    throw new BisectionRuleError(
      'BISECTION_STEP_NOT_PENDING',
      `step ${command.step} of ${current.bisectionId} builds ${pending.commitHash}, not ${command.commitHash}`,
    );
  }
  const verdict: BisectionVerdict =
    command.status === 'SUCCESS' ? 'good' : command.retriesExhausted || command.sameFailure === false ? 'skip' : 'bad';
  const steps = current.results.length + 1;
  const built: Payload = {
    type: 'BisectionStepBuilt',
    data: {
      bisectionId: current.bisectionId,
      package: current.package,
      commitHash: command.commitHash,
      buildId: command.buildId,
      step: command.step,
      status: command.status,
      verdict,
    },
  };
  if (verdict === 'skip') {
    const reason = command.retriesExhausted ? 'retries_exhausted' : 'different_failure';
    const why = command.retriesExhausted
      ? 'kept failing transiently until maxretries'
      : 'failed differently from the first failure';
    const detail = `step ${command.step}: ${command.commitHash} ${why} (build ${command.buildId})${command.detail ? `: ${command.detail}` : ''}`;
    return [built, inconclusive(current.bisectionId, current.package, reason, detail, steps)];
  }
  const after = evolve(current, built) as StartedBisection;
  return [built, next(after, after.lo, after.hi)];
}

function abandon(command: AbandonStep, state: BisectionState): Payload[] {
  const current = running(state, command.step);
  if (current === null) return [];
  return [inconclusive(current.bisectionId, current.package, command.reason, command.detail, current.results.length)];
}

function decide(command: BisectionCommand, state: BisectionState): Payload[] {
  switch (command.type) {
    case 'StartBisection':
      return start(command, state);
    case 'RecordStepResult':
      return recordStep(command, state);
    case 'AbandonStep':
      return abandon(command, state);
    default:
      return assertNever(command, 'bisection command');
  }
}

function startedState(event: Extract<Payload, { type: 'BisectionStarted' }>): StartedBisection {
  const { bisectionId, package: pkg, good, bad, candidates, trigger } = event.data;
  return {
    phase: 'running',
    bisectionId,
    package: pkg,
    good,
    bad,
    candidates,
    trigger,
    lo: -1,
    hi: candidates.length - 1,
    pending: null,
    results: [],
    culprit: null,
    reason: null,
  };
}

function evolve(state: BisectionState, event: Payload): BisectionState {
  if (event.type === 'BisectionStarted') return startedState(event);
  if (state.phase === 'none') return state;
  switch (event.type) {
    case 'BisectionStepRequested':
      return {
        ...state,
        pending: {
          step: event.data.step,
          commitHash: event.data.commitHash,
          distroHash: event.data.distroHash,
          index: state.candidates.indexOf(event.data.commitHash),
        },
      };
    case 'BisectionStepBuilt': {
      const { step, commitHash, buildId, status, verdict } = event.data;
      const index = state.candidates.indexOf(commitHash);
      return {
        ...state,
        pending: null,
        results: [...state.results, { step, commitHash, buildId, status, verdict }],
        // A step is requested between lo and hi, so its verdict always narrows the range.
        lo: verdict === 'good' ? index : state.lo,
        hi: verdict === 'bad' ? index : state.hi,
      };
    }
    case 'CulpritIdentified':
      return { ...state, phase: 'culprit', pending: null, culprit: event.data.commitHash };
    case 'BisectionInconclusive':
      return { ...state, phase: 'inconclusive', pending: null, reason: event.data.reason };
    default:
      return assertNever(event, 'bisection event');
  }
}

export const bisectionDecider: Decider<BisectionCommand, BisectionState, BisectionEvent> = {
  decide,
  evolve,
  initialState: () => ({ phase: 'none' }),
};
