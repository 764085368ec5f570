import type { BisectionEvent } from './bisection/bisection.events.js';
import type { BuildEvent } from './build/build.events.js';
import type { ChangeBuildEvent } from './change/change.events.js';
import type { CiVoteEvent } from './ci-vote/ci-vote.events.js';
import type { DeliveryEvent } from './delivery/delivery.events.js';
import type { PackageEvent } from './package/package.events.js';
import type { PromotionEvent } from './promotion/promotion.events.js';
import type { PublishEvent } from './publish/publish.events.js';
import type { AggregateEvent, RepoEvent } from './repo/repo.events.js';
import { DomainError } from './shared/errors.js';
import type { RecordedEvent } from './shared/event.js';
import type { UserEvent } from './user/user.events.js';
import type { WebhookEvent } from './webhook/webhook.events.js';

/** Every event the service records. Published shapes never change: add a version + upcaster. */
export type AnyDomainEvent =
  | BuildEvent
  | PackageEvent
  | RepoEvent
  | AggregateEvent
  | CiVoteEvent
  | PromotionEvent
  | UserEvent
  | BisectionEvent
  | PublishEvent
  | WebhookEvent
  | DeliveryEvent
  | ChangeBuildEvent;
export type EventType = AnyDomainEvent['type'];

/** Current schema version of each event type's `data`. */
export const EVENT_SCHEMA_VERSIONS: Readonly<Record<EventType, number>> = {
  CommitDiscovered: 2,
  BuildClaimed: 1,
  BuildAbandoned: 1,
  BuildMoved: 1,
  BuildStarted: 1,
  BuildSucceeded: 1,
  BuildFailed: 1,
  BuildRetryScheduled: 1,
  BuildRechecked: 1,
  BuildPurged: 1,
  HistoryRewritten: 1,
  PackageSkipped: 1,
  FailureNotified: 1,
  ReviewRequested: 1,
  CulpritMailQueued: 1,
  CulpritNotified: 1,
  RepoPublished: 1,
  CurrentMoved: 1,
  ConsistentMoved: 1,
  AggregateRepoPublished: 1,
  CiVoteReported: 1,
  RepoClaimed: 1,
  AggregateVoteReported: 1,
  RepoPromoted: 1,
  PromotionRolledBack: 1,
  UserCreated: 1,
  UserPasswordChanged: 1,
  UserPasswordRehashed: 1,
  UserRolesSet: 1,
  UserDeleted: 1,
  BisectionStarted: 1,
  BisectionStepRequested: 1,
  BisectionStepBuilt: 1,
  CulpritIdentified: 1,
  BisectionInconclusive: 1,
  BuildPublished: 1,
  BuildPublishFailed: 1,
  PushReceived: 1,
  WebhookDeliveryFailed: 1,
  WebhookDelivered: 1,
  WebhookDeliveryDeadLettered: 1,
  WebhookRedeliveryRequested: 1,
  WebhookRedelivered: 1,
  ChangeBuildRequested: 1,
  ChangeBuildStarted: 1,
  ChangeBuildSucceeded: 1,
  ChangeBuildFailed: 1,
  ChangeBuildSuperseded: 1,
  ChangeBuildCancelled: 1,
  ChangeBuildPurged: 1,
};

export function isKnownEventType(type: string): type is EventType {
  return Object.hasOwn(EVENT_SCHEMA_VERSIONS, type);
}

export function schemaVersionOf(type: string): number {
  if (!isKnownEventType(type)) throw new DomainError('UNKNOWN_EVENT_TYPE', `unknown event type ${type}`, { type });
  return EVENT_SCHEMA_VERSIONS[type];
}

/** Lifts `data` of (type, version) to version + 1. Pure; registered once, kept forever. */
export type Upcaster = (data: Readonly<Record<string, unknown>>) => Record<string, unknown>;

/**
 * Upcasters by `<type>@<fromVersion>`. When a shape changes, bump EVENT_SCHEMA_VERSIONS and add
 * `'<Type>@<old>': (data) => newData` here.
 */
export const UPCASTERS: Readonly<Record<string, Upcaster>> = {
  /** v2 (issue 20): every build has a purpose; builds recorded before were all commit builds. */
  'CommitDiscovered@1': (data) => ({ ...data, purpose: { kind: 'commit' } }),
};

/**
 * Brings a stored event to the current shape of its type, applying upcasters in sequence.
 * Events of unknown types pass through untouched (a newer writer may know them).
 */
export function upcast(
  event: RecordedEvent,
  registry: {
    readonly versions: Readonly<Record<string, number>>;
    readonly upcasters: Readonly<Record<string, Upcaster>>;
  } = { versions: EVENT_SCHEMA_VERSIONS, upcasters: UPCASTERS },
): RecordedEvent {
  const target = registry.versions[event.type];
  if (target === undefined) return event;
  let version = event.metadata.schemaVersion;
  if (version > target) {
    throw new DomainError(
      'EVENT_FROM_THE_FUTURE',
      `event ${event.metadata.eventId} (${event.type}) has schema version ${version}, this service knows ${target}: upgrade it`,
    );
  }
  let data = event.data as Record<string, unknown>;
  while (version < target) {
    const step = registry.upcasters[`${event.type}@${version}`];
    if (!step) throw new DomainError('MISSING_UPCASTER', `no upcaster for ${event.type} from version ${version}`);
    data = step(data);
    version += 1;
  }
  if (version === event.metadata.schemaVersion) return event;
  return { ...event, data, metadata: { ...event.metadata, schemaVersion: version } };
}
