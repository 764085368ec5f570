import type { CommitDiscovered } from './build.events.js';

export type BuildStatus = 'SUCCESS' | 'FAILED' | 'RETRY';

export interface AttemptInProgress {
  readonly buildId: string;
  readonly attempt: number;
  readonly builderId: string;
  readonly leaseExpiresAt: string;
  readonly dtBuild: number | null;
}

export interface CompletedAttempt {
  readonly buildId: string;
  readonly status: BuildStatus;
  readonly repoDir: string;
}

export interface Known {
  readonly commit: CommitDiscovered['data'];
  readonly attempts: number;
  /** RETRY results recorded for this triple (DLRN's `timesretried`). */
  readonly retries: number;
  /** The most recent finished attempt, whatever happened to it afterwards. */
  readonly last: CompletedAttempt | null;
  /** The last result's directory was purged. */
  readonly purged: boolean;
}

/**
 * One build stream's state. `waiting`: discovered and buildable (never built, last attempt was
 * RETRY, or the last result was rechecked). `building`: claimed by a builder. `built`: a
 * SUCCESS or FAILED result that counts; only a recheck makes it buildable again. `moved`: its
 * build went on as another triple's (BuildMoved); never claimed again.
 */
export type BuildState =
  | { readonly phase: 'unknown' }
  | ({ readonly phase: 'waiting' } & Known)
  | ({ readonly phase: 'building'; readonly current: AttemptInProgress } & Known)
  | ({ readonly phase: 'built' } & Known)
  | ({ readonly phase: 'moved'; readonly movedTo: string } & Known);

export function knownOf(state: Exclude<BuildState, { phase: 'unknown' }>): Known {
  const { commit, attempts, retries, last, purged } = state;
  return { commit, attempts, retries, last, purged };
}
