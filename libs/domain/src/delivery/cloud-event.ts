import type { EventType } from '../catalogue.js';
import type { RecordedEvent } from '../shared/event.js';
import { redactSecrets } from '../user/redaction.js';

/**
 * The events an outgoing webhook delivers: every build, repository, CI vote and promotion fact.
 * Left out: users (secrets, and no one downstream needs them), package notices (mails sent,
 * history rewritten, skips), bisection steps, incoming pushes, a builder's own publication
 * cursor (`BuildPublished`, `BuildPublishFailed`), and the deliveries themselves
 * (a dead letter delivered by webhook would feed back into the sender). A new event type is
 * delivered only once it is added here.
 */
export const DELIVERED_EVENT_TYPES: readonly EventType[] = [
  'CommitDiscovered',
  'BuildClaimed',
  'BuildAbandoned',
  'BuildMoved',
  'BuildStarted',
  'BuildSucceeded',
  'BuildFailed',
  'BuildRetryScheduled',
  'BuildRechecked',
  'BuildPurged',
  'RepoPublished',
  'CurrentMoved',
  'ConsistentMoved',
  'AggregateRepoPublished',
  'CiVoteReported',
  'RepoClaimed',
  'AggregateVoteReported',
  'RepoPromoted',
  'PromotionRolledBack',
  // Builds of proposed changes (issue 18 item 2): a CI job can wait for its change's repository.
  'ChangeBuildRequested',
  'ChangeBuildStarted',
  'ChangeBuildSucceeded',
  'ChangeBuildFailed',
  'ChangeBuildSuperseded',
  'ChangeBuildCancelled',
  'ChangeBuildPurged',
];

/** A CloudEvents 1.0 event in structured mode (`application/cloudevents+json`). */
export interface CloudEvent {
  readonly specversion: '1.0';
  /** The log event's id (UUIDv7): the same on every attempt, so receivers can drop repeats. */
  readonly id: string;
  readonly source: string;
  /** `org.dlrn.build.succeeded` for BuildSucceeded: `org.dlrn.` and the type's words, lower case, dotted. */
  readonly type: string;
  readonly time: string;
  /** The event's stream (`build-<id>`, `promotion-current-passed-ci`, `civote-<hashes>`). */
  readonly subject: string;
  readonly datacontenttype: 'application/json';
  /** The event's own type name, as `/api/events` shows it. */
  readonly dlrntype: string;
  /** Position in the global log and revision in its stream: order within a stream. */
  readonly dlrnposition: number;
  readonly dlrnrevision: number;
  readonly data: object;
}

/** `BuildSucceeded` → `org.dlrn.build.succeeded`; `CiVoteReported` → `org.dlrn.ci.vote.reported`. */
export function cloudEventType(eventType: string): string {
  const words = eventType.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+/g) ?? [eventType];
  return `org.dlrn.${words.map((word) => word.toLowerCase()).join('.')}`;
}

/** The CloudEvent for a recorded event, its secrets redacted (as every read leaving the server). */
export function toCloudEvent(recorded: RecordedEvent, source: string): CloudEvent {
  const event = redactSecrets(recorded);
  return {
    specversion: '1.0',
    id: event.metadata.eventId,
    source,
    type: cloudEventType(event.type),
    time: event.metadata.occurredAt,
    subject: event.streamId,
    datacontenttype: 'application/json',
    dlrntype: event.type,
    dlrnposition: event.position,
    dlrnrevision: event.revision,
    data: event.data,
  };
}

/** How long to wait before attempt `attempt + 1` after `attempt` failed: doubling, capped. */
export function retryDelayMs(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(Math.max(0, attempt - 1), 30));
}
