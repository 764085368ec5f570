import { describe, expect, it } from 'vitest';
import { deciderSpec } from '../../../../test/support/decider-spec.js';
import type { EventPayload } from '../shared/event.js';
import { deliveryDecider, DeliveryRuleError } from './delivery.decider.js';
import type { DeliveryEvent, WebhookDeliveryDeadLettered } from './delivery.events.js';

const id = '0192f3a4-5b6c-7d8e-9f01-23456789abcd';
const ref = { eventStreamId: 'build-x', eventRevision: 2, eventPosition: 40, eventType: 'BuildFailed' };
const deadLetter: WebhookDeliveryDeadLettered['data'] = {
  deliveryId: id,
  ...ref,
  endpoint: 'https://ci.example.org/hook',
  attempts: 8,
  lastError: 'HTTP 503',
  lastStatus: 503,
  firstAttemptAt: '2026-12-05T10:00:00.000Z',
  lastAttemptAt: '2026-12-05T10:05:00.000Z',
};
const dead: EventPayload<DeliveryEvent> = { type: 'WebhookDeliveryDeadLettered', data: deadLetter };
const requested: EventPayload<DeliveryEvent> = { type: 'WebhookRedeliveryRequested', data: { deliveryId: id, ...ref } };
const redelivered: EventPayload<DeliveryEvent> = {
  type: 'WebhookRedelivered',
  data: { deliveryId: id, endpoint: 'https://ci.example.org/hook', attempts: 1, status: 204, deliveredAt: 'now' },
};
const failure: EventPayload<DeliveryEvent> = {
  type: 'WebhookDeliveryFailed',
  data: {
    deliveryId: id,
    ...ref,
    endpoint: 'https://ci.example.org/hook',
    attempt: 1,
    error: 'HTTP 502',
    status: 502,
    failedAt: 'then',
    nextAttemptAt: 'later',
  },
};
const delivered: EventPayload<DeliveryEvent> = {
  type: 'WebhookDelivered',
  data: { deliveryId: id, endpoint: 'https://ci.example.org/hook', attempts: 2, status: 200, deliveredAt: 'now' },
};
const spec = deciderSpec(deliveryDecider);

describe('delivery decider', () => {
  describe('when nothing was dead-lettered', () => {
    it('refuses a redelivery as not found', () => {
      spec
        .given([])
        .when({ type: 'RequestRedelivery', deliveryId: id })
        .thenThrows('DELIVERY_NOT_FOUND', new RegExp(`^No dead-lettered delivery ${id}$`));
      expect(new DeliveryRuleError('DELIVERY_NOT_FOUND', id, 'x').details).toEqual({ deliveryId: id });
    });
    it('records no delivery that never failed first', () => {
      spec
        .given([])
        .when({ type: 'RecordDelivered', data: delivered.data as never })
        .thenNothingHappens();
    });
    it('records a dead letter', () => {
      spec.given([]).when({ type: 'DeadLetter', data: deadLetter }).then([dead]);
    });
    it('records no redelivery that was never asked for', () => {
      spec
        .given([])
        .when({ type: 'RecordRedelivered', data: redelivered.data as never })
        .thenNothingHappens();
    });
  });

  describe('when the first attempt failed', () => {
    it('records the failure once, not again for a resend after a restart', () => {
      spec
        .given([])
        .when({ type: 'RecordFailure', data: failure.data as never })
        .then([failure]);
      spec
        .given([failure])
        .when({ type: 'RecordFailure', data: failure.data as never })
        .thenNothingHappens();
    });
    it('records the delivery that got through on a later attempt', () => {
      spec
        .given([failure])
        .when({ type: 'RecordDelivered', data: delivered.data as never })
        .then([delivered]);
    });
    it('refuses a redelivery while it is being retried', () => {
      spec
        .given([failure])
        .when({ type: 'RequestRedelivery', deliveryId: id })
        .thenThrows('DELIVERY_NOT_DEAD_LETTERED', /still being retried/);
    });
    it('records the dead letter once every attempt failed', () => {
      spec.given([failure]).when({ type: 'DeadLetter', data: deadLetter }).then([dead]);
    });
  });

  describe('when a retry got through', () => {
    it('records the delivery once, and refuses a redelivery as delivered', () => {
      spec
        .given([failure, delivered])
        .when({ type: 'RecordDelivered', data: delivered.data as never })
        .thenNothingHappens();
      spec
        .given([failure, delivered])
        .when({ type: 'RequestRedelivery', deliveryId: id })
        .thenThrows('DELIVERY_NOT_DEAD_LETTERED', new RegExp(`^Delivery ${id} was delivered$`));
    });
  });

  describe('when the delivery is dead-lettered', () => {
    it('records the request naming the event to send again', () => {
      spec.given([dead]).when({ type: 'RequestRedelivery', deliveryId: id }).then([requested]);
    });
    it('records a second dead letter of it as nothing new', () => {
      spec.given([dead]).when({ type: 'DeadLetter', data: deadLetter }).thenNothingHappens();
    });
  });

  describe('when a redelivery was requested', () => {
    it('takes a second request as the same one', () => {
      spec.given([dead, requested]).when({ type: 'RequestRedelivery', deliveryId: id }).thenNothingHappens();
    });
    it('records the redelivery once it got through', () => {
      spec
        .given([dead, requested])
        .when({ type: 'RecordRedelivered', data: redelivered.data as never })
        .then([redelivered]);
    });
    it('records a new dead letter when it failed again', () => {
      spec.given([dead, requested]).when({ type: 'DeadLetter', data: deadLetter }).then([dead]);
    });
  });

  describe('when it was redelivered', () => {
    it('refuses another redelivery as not dead-lettered', () => {
      spec
        .given([dead, requested, redelivered])
        .when({ type: 'RequestRedelivery', deliveryId: id })
        .thenThrows('DELIVERY_NOT_DEAD_LETTERED', new RegExp(`^Delivery ${id} was redelivered already$`));
    });
    it('is in the redelivered state', () => {
      expect(spec.given([dead, requested, redelivered]).state()).toEqual({ kind: 'redelivered', target: ref });
    });
  });
});
