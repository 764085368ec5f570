import type { DeliveryEvent } from '../delivery/delivery.events.js';
import type { ProjectionDefinition, RecordedOf } from './projection.js';

export type DeliveryDocState = 'dead_lettered' | 'redelivery_requested' | 'redelivered';

/** A delivery of the outgoing webhook that needed a human (key: the delivery id = event id). */
export interface DeliveryDoc {
  readonly deliveryId: string;
  readonly state: DeliveryDocState;
  readonly eventType: string;
  readonly eventStreamId: string;
  readonly eventRevision: number;
  readonly eventPosition: number;
  readonly endpoint: string;
  /** Attempts of the last round (the first delivery, or the last redelivery). */
  readonly attempts: number;
  readonly lastError: string | null;
  readonly lastStatus: number | null;
  /** Position of the first dead letter: the listing's order and cursor (unique, never moves). */
  readonly firstDeadPosition: number;
  readonly deadLetteredAt: string;
  readonly updatedAt: string;
  readonly redeliveries: number;
  readonly lastPosition: number;
}

function evolve(doc: DeliveryDoc | null, event: RecordedOf<DeliveryEvent>): DeliveryDoc | null {
  if (doc !== null && event.position <= doc.lastPosition) return doc;
  const at = event.metadata.occurredAt;
  switch (event.type) {
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
        firstDeadPosition: doc?.firstDeadPosition ?? event.position,
        deadLetteredAt: at,
        updatedAt: at,
        redeliveries: doc?.redeliveries ?? 0,
        lastPosition: event.position,
      };
    }
    case 'WebhookRedeliveryRequested':
      return doc && { ...doc, state: 'redelivery_requested', updatedAt: at, lastPosition: event.position };
    case 'WebhookRedelivered':
      return (
        doc && {
          ...doc,
          state: 'redelivered',
          attempts: event.data.attempts,
          lastError: null,
          lastStatus: event.data.status,
          endpoint: event.data.endpoint,
          redeliveries: doc.redeliveries + 1,
          updatedAt: at,
          lastPosition: event.position,
        }
      );
    default:
      return doc;
  }
}

/** `GET /api/deliveries`: dead letters of the outgoing webhook and what became of them. */
export const deliveriesProjection: ProjectionDefinition<
  DeliveryDoc,
  DeliveryEvent,
  'state' | 'event_type' | 'subject' | 'first_dead_position'
> = {
  name: 'deliveries',
  version: 1,
  eventTypes: ['WebhookDeliveryDeadLettered', 'WebhookRedeliveryRequested', 'WebhookRedelivered'],
  keys: (event) => [event.data.deliveryId],
  evolve: (doc, event) => evolve(doc, event),
  columns: { state: 'text', event_type: 'text', subject: 'text', first_dead_position: 'integer' },
  row: (doc) => ({
    state: doc.state,
    event_type: doc.eventType,
    subject: doc.eventStreamId,
    first_dead_position: doc.firstDeadPosition,
  }),
  indexes: [['first_dead_position'], ['state', 'first_dead_position']],
};
