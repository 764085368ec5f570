import type { Decider, RecordCommand } from '../shared/decider.js';
import { DomainError, assertNever } from '../shared/errors.js';
import type { EventPayload } from '../shared/event.js';
import type {
  CulpritMailQueued,
  CulpritNotified,
  FailureNotified,
  HistoryRewritten,
  PackageEvent,
  PackageSkipped,
  ReviewRequested,
} from './package.events.js';

/** The package's git refresh failed this pass (DLRN's `skiplist.txt`). */
export type RecordSkip = RecordCommand<'RecordSkip', PackageSkipped['data']>;

/** The branch was force-pushed past the last processed commit. */
export type RecordHistoryRewrite = RecordCommand<'RecordHistoryRewrite', HistoryRewritten['data']>;

/** The maintainers were mailed about a failed build (the mail is already sent). */
export type RecordFailureMail = RecordCommand<'RecordFailureMail', FailureNotified['data']>;

/** The Gerrit review step ran for the first failure after a success. */
export type RecordReviewRequest = RecordCommand<'RecordReviewRequest', ReviewRequested['data']>;

/** A culprit mail is due: recorded before it is sent (once per bisection). */
export type QueueCulpritMail = RecordCommand<'QueueCulpritMail', CulpritMailQueued['data']>;

/** A queued culprit mail was accepted by the SMTP server (once per bisection). */
export type RecordCulpritMail = RecordCommand<'RecordCulpritMail', CulpritNotified['data']>;

export type PackageCommand =
  RecordSkip | RecordHistoryRewrite | RecordFailureMail | RecordReviewRequest | QueueCulpritMail | RecordCulpritMail;

export interface PackageState {
  /** The package the stream is about; null before its first event. */
  readonly package: string | null;
  /** Known commits whose loss to a force-push is recorded already. */
  readonly rewrittenCommits: ReadonlySet<string>;
  /** Bisections whose culprit mail is queued, and those whose mail was sent. */
  readonly culpritMailsQueued?: ReadonlySet<string>;
  readonly culpritMailsSent?: ReadonlySet<string>;
}

/** A package event would land in the stream of another package. */
export class PackageStreamMismatchError extends DomainError {
  constructor(stream: string, named: string) {
    super('PACKAGE_STREAM_MISMATCH', `an event of package ${named} does not belong to the stream of ${stream}`, {
      stream,
      named,
    });
  }
}

function decide(command: PackageCommand, state: PackageState): readonly EventPayload<PackageEvent>[] {
  // One stream per package: a command naming another one is a caller's bug.
  if (state.package !== null && state.package !== command.data.package) {
    throw new PackageStreamMismatchError(state.package, command.data.package);
  }
  switch (command.type) {
    case 'RecordSkip':
      // Every skipped pass is recorded, as DLRN rewrites its skiplist every pass.
      return [{ type: 'PackageSkipped', data: command.data }];
    case 'RecordHistoryRewrite':
      // The loss of one known commit is a fact recorded once, however many passes notice it.
      return state.rewrittenCommits.has(command.data.knownCommit)
        ? []
        : [{ type: 'HistoryRewritten', data: command.data }];
    case 'RecordFailureMail':
      return [{ type: 'FailureNotified', data: command.data }];
    case 'RecordReviewRequest':
      return [{ type: 'ReviewRequested', data: command.data }];
    case 'QueueCulpritMail':
      // Two passes that find the same culprit queue one mail: the second decides against the first.
      return state.culpritMailsQueued?.has(command.data.bisectionId)
        ? []
        : [{ type: 'CulpritMailQueued', data: command.data }];
    case 'RecordCulpritMail':
      return state.culpritMailsSent?.has(command.data.bisectionId)
        ? []
        : [{ type: 'CulpritNotified', data: command.data }];
    default:
      return assertNever(command, 'package command');
  }
}

function evolve(state: PackageState, event: EventPayload<PackageEvent>): PackageState {
  const named = { ...state, package: state.package ?? event.data.package };
  if (event.type === 'CulpritMailQueued') {
    return { ...named, culpritMailsQueued: new Set([...(state.culpritMailsQueued ?? []), event.data.bisectionId]) };
  }
  if (event.type === 'CulpritNotified') {
    return { ...named, culpritMailsSent: new Set([...(state.culpritMailsSent ?? []), event.data.bisectionId]) };
  }
  if (event.type !== 'HistoryRewritten') return named;
  return { ...named, rewrittenCommits: new Set([...state.rewrittenCommits, event.data.knownCommit]) };
}

/**
 * The facts about one package outside its builds (`package-<name>`): skips, force-pushes, the
 * failure mail and the review step. The mail throttle and "first failure after a success" are
 * read from the build history before the side effect; what is recorded afterwards cannot be
 * refused, so the stream's only rules are its identity and one record per lost commit.
 */
export const packageDecider: Decider<PackageCommand, PackageState, PackageEvent> = {
  decide,
  evolve,
  initialState: () => ({ package: null, rewrittenCommits: new Set() }),
};
