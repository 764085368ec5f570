import type { DomainEvent, EventContext, EventPayload } from './event.js';
import type { Clock, IdGenerator } from './ports.js';

/**
 * Turns decided payloads into full events: a UUIDv7 id each, the same occurredAt, and the
 * context's correlation and causation. The schema version comes from the catalogue.
 */
export function stampEvents<E extends DomainEvent>(
  payloads: readonly EventPayload<E>[],
  context: EventContext,
  deps: { readonly ids: IdGenerator; readonly clock: Clock; readonly schemaVersion: (type: string) => number },
): E[] {
  const occurredAt = deps.clock.now().toISOString();
  return payloads.map(
    (payload) =>
      ({
        type: payload.type,
        data: payload.data,
        metadata: {
          schemaVersion: deps.schemaVersion(payload.type),
          eventId: deps.ids.next(),
          occurredAt,
          correlationId: context.correlationId,
          causationId: context.causationId,
          actor: context.actor,
          ...(context.trigger === undefined ? {} : { trigger: context.trigger }),
        },
      }) as unknown as E,
  );
}
