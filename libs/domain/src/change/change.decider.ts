import type { Decider } from '../shared/decider.js';
import { assertNever } from '../shared/errors.js';
import type { EventPayload } from '../shared/event.js';
import {
  changeRepoPath,
  type ChangeBuildEvent,
  type ChangeBuildKey,
  type ChangeBuildRequested,
} from './change.events.js';

type Payload = EventPayload<ChangeBuildEvent>;

export type PatchsetStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'superseded' | 'cancelled';

export interface PatchsetState {
  readonly patchset: number;
  readonly headSha: string;
  readonly status: PatchsetStatus;
  /** Who last started it (null: never started), and until when its lease ran (read only while running). */
  readonly builderId: string | null;
  readonly leaseExpiresAt: string | null;
  /** `dlrn purge` removed its directory. */
  readonly purged: boolean;
}

export interface ChangeBuildState {
  /** Patch sets in the order they were requested (ascending numbers). */
  readonly patchsets: readonly PatchsetState[];
  /** Delivery ids recorded (a replayed delivery does nothing). */
  readonly deliveries: readonly string[];
}

/** Gerrit names its patch set; the other forges do not (null: the next number, for a head not seen before). */
export interface RequestChangeBuild {
  readonly type: 'RequestChangeBuild';
  readonly data: Omit<ChangeBuildRequested['data'], 'patchset'> & { readonly patchset: number | null };
}

export interface StartChangeBuild {
  readonly type: 'StartChangeBuild';
  readonly data: {
    readonly patchset: number;
    readonly builderId: string;
    readonly now: Date;
    readonly leaseMs: number;
    /** A holder the claimant saw stopped (a dead process of its own host): taken over before its lease ends. */
    readonly stoppedHolder?: string;
  };
}

export type ChangeBuildOutcome =
  | {
      readonly status: 'success';
      readonly repoPath: string;
      readonly rpms: readonly string[];
      readonly nvr: string;
      readonly repoFile: string;
    }
  | { readonly status: 'failure'; readonly reason: string; readonly logPath: string | null };

export interface CompleteChangeBuild {
  readonly type: 'CompleteChangeBuild';
  readonly data: { readonly patchset: number; readonly builderId: string; readonly outcome: ChangeBuildOutcome };
}

export interface CloseChange {
  readonly type: 'CloseChange';
  readonly data: ChangeBuildKey & { readonly reason: 'closed' | 'merged'; readonly deliveryId: string };
}

export interface PurgeChangeBuild {
  readonly type: 'PurgeChangeBuild';
  readonly data: { readonly patchset: number };
}

export type ChangeBuildCommand =
  RequestChangeBuild | StartChangeBuild | CompleteChangeBuild | CloseChange | PurgeChangeBuild;

/** Delivery ids remembered per change; a forge redelivers recent ones, not those of weeks ago. */
const REMEMBERED_DELIVERIES = 200;

function keyOf(data: ChangeBuildKey): ChangeBuildKey {
  return { forge: data.forge, change: data.change, package: data.package, side: data.side };
}

function latest(state: ChangeBuildState): PatchsetState | undefined {
  return state.patchsets[state.patchsets.length - 1];
}

function request(command: RequestChangeBuild, state: ChangeBuildState): Payload[] {
  const data = command.data;
  if (state.deliveries.includes(data.deliveryId)) return [];
  const last = latest(state);
  // A head already requested (a retried delivery with a new id, a GitLab "update" that moved no
  // commit) or an older patch set arriving after a newer one changes nothing.
  if (state.patchsets.some((p) => p.headSha === data.headSha)) return [];
  const patchset = data.patchset ?? (last?.patchset ?? 0) + 1;
  if (last !== undefined && patchset <= last.patchset) return [];
  const key = keyOf(data);
  const events: Payload[] = [{ type: 'ChangeBuildRequested', data: { ...data, patchset } }];
  for (const older of state.patchsets) {
    if (older.status === 'queued')
      events.push({ type: 'ChangeBuildSuperseded', data: { ...key, patchset: older.patchset, byPatchset: patchset } });
  }
  return events;
}

/**
 * The patch set a command names, with the stream's key: a patch set exists only after a request,
 * which set the key.
 */
function targetOf(state: StateWithKey, patchset: number): { target: PatchsetState; key: ChangeBuildKey } | null {
  const target = state.patchsets.find((p) => p.patchset === patchset);
  return target === undefined ? null : { target, key: state.key! };
}

function start(command: StartChangeBuild, state: StateWithKey): Payload[] {
  const { patchset, builderId, now, leaseMs } = command.data;
  const found = targetOf(state, patchset);
  if (found === null) return [];
  const { target, key } = found;
  // A running patch set has a holder and a lease (ChangeBuildStarted sets both).
  const takenOver =
    target.status === 'running' &&
    (Date.parse(target.leaseExpiresAt!) <= now.getTime() || target.builderId === command.data.stoppedHolder);
  if (target.status !== 'queued' && !takenOver) return [];
  return [
    {
      type: 'ChangeBuildStarted',
      data: {
        ...key,
        patchset,
        builderId,
        startedAt: now.toISOString(),
        leaseExpiresAt: new Date(now.getTime() + leaseMs).toISOString(),
      },
    },
  ];
}

function complete(command: CompleteChangeBuild, state: StateWithKey): Payload[] {
  const { patchset, builderId, outcome } = command.data;
  const found = targetOf(state, patchset);
  // Only the holder records a result: a builder whose lease was taken over records nothing.
  if (found === null || found.target.status !== 'running' || found.target.builderId !== builderId) return [];
  const key = found.key;
  const result: Payload =
    outcome.status === 'success'
      ? {
          type: 'ChangeBuildSucceeded',
          data: {
            ...key,
            patchset,
            repoPath: outcome.repoPath,
            rpms: outcome.rpms,
            nvr: outcome.nvr,
            repoFile: outcome.repoFile,
          },
        }
      : { type: 'ChangeBuildFailed', data: { ...key, patchset, reason: outcome.reason, logPath: outcome.logPath } };
  const newer = latest(state)!;
  // A newer patch set came while this one was building: its result stands, marked stale.
  if (newer.patchset > patchset)
    return [result, { type: 'ChangeBuildSuperseded', data: { ...key, patchset, byPatchset: newer.patchset } }];
  return [result];
}

function close(command: CloseChange, state: ChangeBuildState): Payload[] {
  if (state.deliveries.includes(command.data.deliveryId)) return [];
  const key = keyOf(command.data);
  return state.patchsets
    .filter((p) => p.status === 'queued')
    .map((p) => ({
      type: 'ChangeBuildCancelled',
      data: { ...key, patchset: p.patchset, reason: command.data.reason },
    }));
}

/** A build that ran and ended (succeeded, failed, or superseded after it ran) leaves a directory to purge, once. */
function purge(command: PurgeChangeBuild, state: StateWithKey): Payload[] {
  const found = targetOf(state, command.data.patchset);
  if (found === null) return [];
  const { target, key } = found;
  if (target.purged || target.builderId === null || target.status === 'running') return [];
  return [
    {
      type: 'ChangeBuildPurged',
      data: { ...key, patchset: target.patchset, repoPath: changeRepoPath(key, target.patchset) },
    },
  ];
}

function update(state: StateWithKey, patchset: number, change: Partial<PatchsetState>): StateWithKey {
  return { ...state, patchsets: state.patchsets.map((p) => (p.patchset === patchset ? { ...p, ...change } : p)) };
}

interface StateWithKey extends ChangeBuildState {
  /** The stream's identity, from its first request (null before). */
  readonly key: ChangeBuildKey | null;
}

function evolve(state: StateWithKey, event: Payload): StateWithKey {
  switch (event.type) {
    case 'ChangeBuildRequested': {
      const d = event.data;
      return {
        key: state.key ?? keyOf(d),
        deliveries: [...state.deliveries, d.deliveryId].slice(-REMEMBERED_DELIVERIES),
        patchsets: [
          ...state.patchsets,
          {
            patchset: d.patchset,
            headSha: d.headSha,
            status: 'queued',
            builderId: null,
            leaseExpiresAt: null,
            purged: false,
          },
        ],
      };
    }
    case 'ChangeBuildStarted':
      return update(state, event.data.patchset, {
        status: 'running',
        builderId: event.data.builderId,
        leaseExpiresAt: event.data.leaseExpiresAt,
      });
    case 'ChangeBuildSucceeded':
      return update(state, event.data.patchset, { status: 'succeeded' });
    case 'ChangeBuildFailed':
      return update(state, event.data.patchset, { status: 'failed' });
    case 'ChangeBuildSuperseded':
      return update(state, event.data.patchset, { status: 'superseded' });
    case 'ChangeBuildCancelled':
      return update(state, event.data.patchset, { status: 'cancelled' });
    case 'ChangeBuildPurged':
      return update(state, event.data.patchset, { purged: true });
    default:
      return assertNever(event, 'change build event');
  }
}

/**
 * One change of one package (stream `changebuild-<forge>_<side>_<change>_<package>`): a newer
 * patch set supersedes the queued older ones, and a running one once it ends; an older patch set
 * arriving after a newer one, a head already requested and a replayed delivery do nothing; one
 * start per request (a dead builder's lease can be taken over); only the holder records the
 * result; closing or merging the change cancels what is queued.
 */
export const changeBuildDecider: Decider<ChangeBuildCommand, StateWithKey, ChangeBuildEvent> = {
  initialState: () => ({ key: null, patchsets: [], deliveries: [] }),
  evolve,
  decide: (command, state) => {
    switch (command.type) {
      case 'RequestChangeBuild':
        return request(command, state);
      case 'StartChangeBuild':
        return start(command, state);
      case 'CompleteChangeBuild':
        return complete(command, state);
      case 'CloseChange':
        return close(command, state);
      case 'PurgeChangeBuild':
        return purge(command, state);
      default:
        return assertNever(command, 'change build command');
    }
  },
};

export type { StateWithKey as ChangeBuildStreamState };
