import { describe, expect, it } from 'vitest';
import { EventLog, given, rowsOf } from '../../../../test/support/projection-spec.js';
import { deliveriesProjection } from './deliveries.projection.js';

const id = '0192f3a4-5b6c-7d8e-9f01-23456789abcd';
const ref = { eventStreamId: 'build-x', eventRevision: 2, eventPosition: 40, eventType: 'BuildFailed' };
const deadLetter = {
  deliveryId: id,
  ...ref,
  endpoint: 'https://ci.example.org/hook',
  attempts: 8,
  lastError: 'HTTP 503',
  lastStatus: 503,
  firstAttemptAt: '2026-12-05T10:00:00.000Z',
  lastAttemptAt: '2026-12-05T10:05:00.000Z',
};

describe('deliveries projection', () => {
  describe('when a dead letter was redelivered, then failed again on a later redelivery', () => {
    const log = new EventLog();
    const first = log.append(`delivery-${id}`, 'WebhookDeliveryDeadLettered', deadLetter);
    log.append(`delivery-${id}`, 'WebhookRedeliveryRequested', { deliveryId: id, ...ref });
    log.append(`delivery-${id}`, 'WebhookRedelivered', {
      deliveryId: id,
      endpoint: 'https://ci.example.org/hook',
      attempts: 1,
      status: 204,
      deliveredAt: '2026-12-05T11:00:00.000Z',
    });
    log.append(`delivery-${id}`, 'WebhookRedeliveryRequested', { deliveryId: id, ...ref });
    const again = log.append(`delivery-${id}`, 'WebhookDeliveryDeadLettered', { ...deadLetter, attempts: 3 });

    it('shows it dead-lettered, counted once redelivered, and listed where it was first dead-lettered', () => {
      const docs = given(log.events).then(deliveriesProjection);
      expect(docs.get(id)).toMatchObject({
        state: 'dead_lettered',
        attempts: 3,
        redeliveries: 1,
        firstFailurePosition: first.position,
        lastPosition: again.position,
      });
      expect(rowsOf(deliveriesProjection, docs).get(id)).toEqual({
        state: 'dead_lettered',
        event_type: 'BuildFailed',
        subject: 'build-x',
        first_failure_position: first.position,
      });
    });

    it('shows each step on the way: redelivery requested, then redelivered', () => {
      const [, requested, redelivered] = log.events;
      expect(given(log.events.slice(0, 2)).then(deliveriesProjection).get(id)).toMatchObject({
        state: 'redelivery_requested',
        lastPosition: requested!.position,
      });
      expect(given(log.events.slice(0, 3)).then(deliveriesProjection).get(id)).toMatchObject({
        state: 'redelivered',
        attempts: 1,
        lastStatus: 204,
        lastError: null,
        redeliveries: 1,
        lastPosition: redelivered!.position,
      });
      // The redelivery is counted once, however often its event is folded.
      expect(given(log.events.slice(0, 3)).replayedTwice(deliveriesProjection)).toEqual(
        given(log.events.slice(0, 3)).then(deliveriesProjection),
      );
    });

    it('gives the same document when the events are replayed', () => {
      expect(given(log.events).replayedTwice(deliveriesProjection)).toEqual(
        given(log.events).then(deliveriesProjection),
      );
    });
  });

  describe('when the first attempt failed and a later one got through', () => {
    const log = new EventLog();
    const failed = log.append(`delivery-${id}`, 'WebhookDeliveryFailed', {
      deliveryId: id,
      ...ref,
      endpoint: 'https://ci.example.org/hook',
      attempt: 1,
      error: 'connection refused',
      status: null,
      failedAt: '2026-12-05T10:00:00.000Z',
      nextAttemptAt: '2026-12-05T10:00:01.000Z',
    });

    it('shows it retrying with the next attempt time, then delivered', () => {
      expect(given(log.events).then(deliveriesProjection).get(id)).toMatchObject({
        state: 'retrying',
        lastError: 'connection refused',
        nextAttemptAt: '2026-12-05T10:00:01.000Z',
        firstFailurePosition: failed.position,
        deadLetteredAt: null,
      });
      log.append(`delivery-${id}`, 'WebhookDelivered', {
        deliveryId: id,
        endpoint: 'https://ci.example.org/hook',
        attempts: 2,
        status: 200,
        deliveredAt: '2026-12-05T10:00:01.000Z',
      });
      expect(given(log.events).then(deliveriesProjection).get(id)).toMatchObject({
        state: 'delivered',
        attempts: 2,
        lastError: null,
        nextAttemptAt: null,
        redeliveries: 0,
      });
      expect(given(log.events).replayedTwice(deliveriesProjection)).toEqual(
        given(log.events).then(deliveriesProjection),
      );
    });
  });

  describe('when a redelivery is requested for a delivery never dead-lettered', () => {
    const log = new EventLog();
    log.append(`delivery-${id}`, 'WebhookRedeliveryRequested', { deliveryId: id, ...ref });
    it('keeps no document', () => {
      expect(given(log.events).then(deliveriesProjection).has(id)).toBe(false);
    });
  });
});
