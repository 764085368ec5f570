import type { DeliveryDocState } from '#domain/projections/index.js';
import { DlrnHttpError } from '../http/dlrn-http.error.js';
import type { ModelSpec } from '../http/dlrn-input.js';
import { decodeCursor, encodeCursor, pageLimitField } from '../resources/resources-inputs.js';

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 500;
const STATES: readonly DeliveryDocState[] = [
  'retrying',
  'delivered',
  'dead_lettered',
  'redelivery_requested',
  'redelivered',
];

export interface DeliveriesInput {
  state: string | null;
  event_type: string | null;
  subject: string | null;
  limit: number;
  cursor: number | null;
}

const bounded = (name: string) => (value: string) => {
  if (value === '' || value.length > 512) throw new DlrnHttpError(400, `Invalid ${name}: expected 1 to 512 characters`);
  return value;
};

export const DELIVERIES: ModelSpec<DeliveriesInput> = {
  fields: {
    state: {
      kind: 'strictStr',
      enum: STATES,
      description: 'Only deliveries in this state',
      check: (value: string) => {
        if (!(STATES as readonly string[]).includes(value))
          throw new DlrnHttpError(400, `Invalid state ${value}: expected one of ${STATES.join(', ')}`);
        return value;
      },
    },
    event_type: {
      kind: 'strictStr',
      description: 'Only deliveries of this event type',
      example: 'BuildFailed',
      check: bounded('event_type'),
    },
    subject: {
      kind: 'strictStr',
      description: "Only deliveries of this stream's events (the CloudEvent subject)",
      check: bounded('subject'),
    },
    limit: pageLimitField(DEFAULT_PAGE, MAX_PAGE),
    cursor: { kind: 'strictStr', description: 'From the `next` link of the previous page', check: decodeCursor },
  },
};

/** The next page's link, from the validated input only. */
export function nextDeliveriesHref(input: DeliveriesInput, before: number): string {
  const query = new URLSearchParams();
  if (input.state !== null) query.set('state', input.state);
  if (input.event_type !== null) query.set('event_type', input.event_type);
  if (input.subject !== null) query.set('subject', input.subject);
  if (input.limit !== DEFAULT_PAGE) query.set('limit', String(input.limit));
  query.set('cursor', encodeCursor(before));
  return `/api/deliveries?${query.toString()}`;
}

const DELIVERY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A delivery id is the delivered event's id: a UUID. */
export function deliveryIdOf(raw: string): string {
  if (!DELIVERY_ID.test(raw)) {
    throw new DlrnHttpError(400, `Invalid delivery id ${JSON.stringify(raw.slice(0, 80))}: expected a UUID`);
  }
  return raw;
}
