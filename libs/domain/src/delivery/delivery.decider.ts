import type { Decider } from '../shared/decider.js';
import { DomainError, assertNever } from '../shared/errors.js';
import type { EventPayload } from '../shared/event.js';
import type {
  DeliveredEventRef,
  DeliveryEvent,
  WebhookDelivered,
  WebhookDeliveryDeadLettered,
  WebhookDeliveryFailed,
  WebhookRedelivered,
} from './delivery.events.js';

export type DeliveryCommand =
  | { readonly type: 'RecordFailure'; readonly data: WebhookDeliveryFailed['data'] }
  | { readonly type: 'RecordDelivered'; readonly data: WebhookDelivered['data'] }
  | { readonly type: 'DeadLetter'; readonly data: WebhookDeliveryDeadLettered['data'] }
  | { readonly type: 'RequestRedelivery'; readonly deliveryId: string }
  | { readonly type: 'RecordRedelivered'; readonly data: WebhookRedelivered['data'] };

export type DeliveryState =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'retrying' | 'delivered' | 'dead_lettered' | 'redelivery_requested' | 'redelivered';
      readonly target: DeliveredEventRef;
    };

/** Why a redelivery cannot be requested: stable codes the API maps to 404 and 409. */
export class DeliveryRuleError extends DomainError {
  constructor(code: 'DELIVERY_NOT_FOUND' | 'DELIVERY_NOT_DEAD_LETTERED', deliveryId: string, message: string) {
    super(code, message, { deliveryId });
  }
}

const refOf = (data: DeliveredEventRef): DeliveredEventRef => ({
  eventStreamId: data.eventStreamId,
  eventRevision: data.eventRevision,
  eventPosition: data.eventPosition,
  eventType: data.eventType,
});

function decide(command: DeliveryCommand, state: DeliveryState): EventPayload<DeliveryEvent>[] {
  switch (command.type) {
    case 'RecordFailure':
      // Only a delivery's first round: a restart resending an event already recorded adds nothing.
      return state.kind === 'none' ? [{ type: 'WebhookDeliveryFailed', data: command.data }] : [];
    case 'RecordDelivered':
      return state.kind === 'retrying' ? [{ type: 'WebhookDelivered', data: command.data }] : [];
    case 'DeadLetter':
      // A second sender (split brain, or a restart resending past its checkpoint) failing the
      // same delivery adds nothing while it is already waiting for an operator.
      if (state.kind === 'dead_lettered') return [];
      return [{ type: 'WebhookDeliveryDeadLettered', data: command.data }];
    case 'RequestRedelivery':
      if (state.kind === 'none') {
        throw new DeliveryRuleError(
          'DELIVERY_NOT_FOUND',
          command.deliveryId,
          `No dead-lettered delivery ${command.deliveryId}`,
        );
      }
      if (state.kind === 'redelivery_requested') return [];
      if (state.kind !== 'dead_lettered') {
        const why = {
          retrying: 'is still being retried',
          delivered: 'was delivered',
          redelivered: 'was redelivered already',
        };
        throw new DeliveryRuleError(
          'DELIVERY_NOT_DEAD_LETTERED',
          command.deliveryId,
          `Delivery ${command.deliveryId} ${why[state.kind]}`,
        );
      }
      return [{ type: 'WebhookRedeliveryRequested', data: { deliveryId: command.deliveryId, ...refOf(state.target) } }];
    case 'RecordRedelivered':
      return state.kind === 'redelivery_requested' ? [{ type: 'WebhookRedelivered', data: command.data }] : [];
    default:
      return assertNever(command, 'delivery command');
  }
}

function evolve(state: DeliveryState, event: EventPayload<DeliveryEvent>): DeliveryState {
  switch (event.type) {
    case 'WebhookDeliveryFailed':
      return { kind: 'retrying', target: refOf(event.data) };
    case 'WebhookDelivered':
      return state.kind === 'none' ? state : { kind: 'delivered', target: state.target };
    case 'WebhookDeliveryDeadLettered':
      return { kind: 'dead_lettered', target: refOf(event.data) };
    case 'WebhookRedeliveryRequested':
      return { kind: 'redelivery_requested', target: refOf(event.data) };
    case 'WebhookRedelivered':
      return state.kind === 'none' ? state : { kind: 'redelivered', target: state.target };
    default:
      return assertNever(event, 'delivery event');
  }
}

/**
 * One delivery's stream: failed → delivered, or failed → dead letter → redelivery requested →
 * redelivered (or dead-lettered again).
 */
export const deliveryDecider: Decider<DeliveryCommand, DeliveryState, DeliveryEvent> = {
  decide,
  evolve,
  initialState: () => ({ kind: 'none' }),
};
