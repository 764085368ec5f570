import type { DomainEvent } from '../shared/event.js';

/**
 * Outgoing webhooks (`[notify] webhook_url`, issue 18 item 4). A delivery is one event of the
 * log sent to the receiver; its id is the event's id, which is also the `webhook-id` header and
 * the CloudEvent `id`, so a receiver sees one id for every attempt and redelivery.
 *
 * Only deliveries that failed are recorded: the first failed attempt (retries follow), the
 * delivery that then got through, or the dead letter once every attempt failed; an operator's
 * request to send a dead letter again, and the redelivery that then got through. Deliveries that
 * succeed the first time are not events (they would double the log); the sender's progress lives
 * beside the projections' checkpoints. Stream: `delivery-<event id>`.
 */

/** Which event a delivery carries: where it is in the log. */
export interface DeliveredEventRef {
  readonly eventStreamId: string;
  readonly eventRevision: number;
  readonly eventPosition: number;
  readonly eventType: string;
}

/** The first attempt to deliver the event failed; the sender retries it (`GET /api/deliveries`: retrying). */
export type WebhookDeliveryFailed = DomainEvent<
  'WebhookDeliveryFailed',
  DeliveredEventRef & {
    readonly deliveryId: string;
    readonly endpoint: string;
    readonly attempt: number;
    /** As `lastError` of a dead letter: the status or transport error, never the body. */
    readonly error: string;
    readonly status: number | null;
    readonly failedAt: string;
    readonly nextAttemptAt: string;
  }
>;

/** A delivery whose first attempt failed got a 2xx on a later one. */
export type WebhookDelivered = DomainEvent<
  'WebhookDelivered',
  {
    readonly deliveryId: string;
    readonly endpoint: string;
    readonly attempts: number;
    readonly status: number;
    readonly deliveredAt: string;
  }
>;

/** Every attempt to deliver the event failed: it waits for an operator (`POST /api/deliveries/{id}/redeliver`). */
export type WebhookDeliveryDeadLettered = DomainEvent<
  'WebhookDeliveryDeadLettered',
  DeliveredEventRef & {
    readonly deliveryId: string;
    /** The receiver's scheme, host, port and path (never its query, which may hold a token). */
    readonly endpoint: string;
    readonly attempts: number;
    /** What the last attempt got: `HTTP 503`, `timed out after 10 s`, `connection refused`… (never the body). */
    readonly lastError: string;
    /** The last attempt's HTTP status; null when no answer came. */
    readonly lastStatus: number | null;
    readonly firstAttemptAt: string;
    readonly lastAttemptAt: string;
  }
>;

/** An operator asked for a dead-lettered delivery to be sent again. */
export type WebhookRedeliveryRequested = DomainEvent<
  'WebhookRedeliveryRequested',
  DeliveredEventRef & { readonly deliveryId: string }
>;

/** A requested redelivery got a 2xx answer. */
export type WebhookRedelivered = DomainEvent<
  'WebhookRedelivered',
  {
    readonly deliveryId: string;
    readonly endpoint: string;
    readonly attempts: number;
    readonly status: number;
    readonly deliveredAt: string;
  }
>;

export type DeliveryEvent =
  | WebhookDeliveryFailed
  | WebhookDelivered
  | WebhookDeliveryDeadLettered
  | WebhookRedeliveryRequested
  | WebhookRedelivered;

export function deliveryStreamId(deliveryId: string): string {
  return `delivery-${deliveryId}`;
}
