import type { Decider, RecordCommand } from '../shared/decider.js';
import { DomainError, assertNever } from '../shared/errors.js';
import type { EventPayload } from '../shared/event.js';
import type { BuildPublishFailed, BuildPublished, PublishEvent, PublishedBuildRef } from './publish.events.js';

/** Refusals of one build the publisher records before it gives up on that build. */
export const MAX_PUBLISH_ATTEMPTS = 5;

/** `publish-<central API URL>`: one stream (and one cursor) per central service. */
export function publishStreamId(target: string): string {
  return `publish-${target}`;
}

export type RecordPublished = RecordCommand<'RecordPublished', BuildPublished['data']>;
/** `attempt` and `gaveUp` are decided from the stream. */
export type RecordPublishRefused = RecordCommand<
  'RecordPublishRefused',
  PublishedBuildRef & { readonly status: number; readonly message: string }
>;
export type PublishCommand = RecordPublished | RecordPublishRefused;

export interface PublishState {
  /** Position of the last build published or given up on: the next one starts after it. */
  readonly done: number;
  /** Refusals recorded for the build after `done`, keyed by its position. */
  readonly refusals: { readonly position: number; readonly count: number } | null;
}

/** Another publisher (a second builder on the same log) recorded this build first. */
export class PublishAlreadyRecordedError extends DomainError {
  constructor(position: number, done: number) {
    super('PUBLISH_ALREADY_RECORDED', `the build at position ${position} is behind the publish cursor (${done})`, {
      position,
      done,
    });
  }
}

function decide(command: PublishCommand, state: PublishState): readonly EventPayload<PublishEvent>[] {
  if (command.data.position <= state.done) throw new PublishAlreadyRecordedError(command.data.position, state.done);
  switch (command.type) {
    case 'RecordPublished':
      return [{ type: 'BuildPublished', data: command.data }];
    case 'RecordPublishRefused': {
      const before = state.refusals?.position === command.data.position ? state.refusals.count : 0;
      const attempt = before + 1;
      const data: BuildPublishFailed['data'] = { ...command.data, attempt, gaveUp: attempt >= MAX_PUBLISH_ATTEMPTS };
      return [{ type: 'BuildPublishFailed', data }];
    }
    default:
      return assertNever(command, 'publish command');
  }
}

/**
 * The state is the last event's alone (so the stream is read by its tail, not whole): builds are
 * offered in order, so a refusal at a position means every build before it is done, and the
 * refusal carries its own attempt count.
 */
function evolve(_state: PublishState, event: EventPayload<PublishEvent>): PublishState {
  const { position } = event.data;
  if (event.type === 'BuildPublished' || event.data.gaveUp) return { done: position, refusals: null };
  return { done: position - 1, refusals: { position, count: event.data.attempt } };
}

/** Events of the stream the state depends on (`DeciderCommandHandler`'s `tail`). */
export const PUBLISH_DECIDER_TAIL = 1;

/**
 * A worker's offers of its builds to a central service (`[service] publish_to`), in the order
 * of its log: a cursor that moves past a build once it is imported or given up on. Two builders
 * on one log publish each build once: the second's record is refused (optimistic concurrency on
 * the stream, then PUBLISH_ALREADY_RECORDED), though both may have asked the central service,
 * which skips a commit it has already (its remote import is idempotent).
 */
export const publishDecider: Decider<PublishCommand, PublishState, PublishEvent> = {
  decide,
  evolve,
  initialState: () => ({ done: 0, refusals: null }),
};
