import type { DeliveryEvent } from '../delivery/delivery.events.js';
import type { ProjectionDefinition, RecordedOf } from './projection.js';

export type DeliveryDocState = 'retrying' | 'delivered' | 'dead_lettered' | 'redelivery_requested' | 'redelivered';

/** A delivery of the outgoing webhook that failed at least once (key: the delivery id = event id). */
export interface DeliveryDoc {
  readonly deliveryId: string;
  readonly state: DeliveryDocState;
  readonly eventType: string;
  readonly eventStreamId: string;
  readonly eventRevision: number;
  readonly eventPosition: number;
  readonly endpoint: string;
  /** Attempts of the last round (the first delivery, or the last redelivery); 1 while retrying. */
  readonly attempts: number;
  readonly lastError: string | null;
  readonly lastStatus: number | null;
  /** While retrying: when the next attempt is due. */
  readonly nextAttemptAt: string | null;
  /** Position of the first failure: the listing's order and cursor (unique, never moves). */
  readonly firstFailurePosition: number;
  readonly firstFailedAt: string;
  readonly deadLetteredAt: string | null;
  readonly updatedAt: string;
  readonly redeliveries: number;
  readonly lastPosition: number;
}

function evolve(doc: DeliveryDoc | null, event: RecordedOf<DeliveryEvent>): DeliveryDoc | null {
  if (doc !== null && event.position <= doc.lastPosition) return doc;
  const at = event.metadata.occurredAt;
  switch (event.type) {
    case 'WebhookDeliveryFailed': {
      const d = event.data;
      return {
        deliveryId: d.deliveryId,
        state: 'retrying',
        eventType: d.eventType,
        eventStreamId: d.eventStreamId,
        eventRevision: d.eventRevision,
        eventPosition: d.eventPosition,
        endpoint: d.endpoint,
        attempts: d.attempt,
        lastError: d.error,
        lastStatus: d.status,
        nextAttemptAt: d.nextAttemptAt,
        firstFailurePosition: doc?.firstFailurePosition ?? event.position,
        firstFailedAt: doc?.firstFailedAt ?? at,
        deadLetteredAt: doc?.deadLetteredAt ?? null,
        updatedAt: at,
        redeliveries: doc?.redeliveries ?? 0,
        lastPosition: event.position,
      };
    }
    case 'WebhookDelivered':
    case 'WebhookRedelivered':
      return (
        doc && {
          ...doc,
          state: event.type === 'WebhookDelivered' ? 'delivered' : 'redelivered',
          attempts: event.data.attempts,
          lastError: null,
          lastStatus: event.data.status,
          nextAttemptAt: null,
          endpoint: event.data.endpoint,
          redeliveries: doc.redeliveries + (event.type === 'WebhookRedelivered' ? 1 : 0),
          updatedAt: at,
          lastPosition: event.position,
        }
      );
    case 'WebhookDeliveryDeadLettered': {
      const d = event.data;
      return {
        deliveryId: d.deliveryId,
        state: 'dead_lettered',
        eventType: d.eventType,
        eventStreamId: d.eventStreamId,
        eventRevision: d.eventRevision,
        eventPosition: d.eventPosition,
        endpoint: d.endpoint,
        attempts: d.attempts,
        lastError: d.lastError,
        lastStatus: d.lastStatus,
        nextAttemptAt: null,
        firstFailurePosition: doc?.firstFailurePosition ?? event.position,
        firstFailedAt: doc?.firstFailedAt ?? at,
        deadLetteredAt: at,
        updatedAt: at,
        redeliveries: doc?.redeliveries ?? 0,
        lastPosition: event.position,
      };
    }
    case 'WebhookRedeliveryRequested':
      return doc && { ...doc, state: 'redelivery_requested', updatedAt: at, lastPosition: event.position };
    default:
      return doc;
  }
}

/** `GET /api/deliveries`: the outgoing webhook's failed deliveries and what became of them. */
export const deliveriesProjection: ProjectionDefinition<
  DeliveryDoc,
  DeliveryEvent,
  'state' | 'event_type' | 'subject' | 'first_failure_position'
> = {
  name: 'deliveries',
  version: 2,
  eventTypes: [
    'WebhookDeliveryFailed',
    'WebhookDelivered',
    'WebhookDeliveryDeadLettered',
    'WebhookRedeliveryRequested',
    'WebhookRedelivered',
  ],
  keys: (event) => [event.data.deliveryId],
  evolve: (doc, event) => evolve(doc, event),
  columns: { state: 'text', event_type: 'text', subject: 'text', first_failure_position: 'integer' },
  row: (doc) => ({
    state: doc.state,
    event_type: doc.eventType,
    subject: doc.eventStreamId,
    first_failure_position: doc.firstFailurePosition,
  }),
  // Stryker disable next-line ArrayDeclaration: equivalent: an index changes how a query runs, not what it answers
  indexes: [['first_failure_position'], ['state', 'first_failure_position']],
};
