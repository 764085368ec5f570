import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '#domain/shared/event.js';
import { uuidv7 } from '#infrastructure/ids/uuid-v7.id-generator.js';

/** A well-formed event for store tests; the id is a fresh UUIDv7 unless given. */
export function testEvent(type: string, data: object = {}, eventId: string = uuidv7()): DomainEvent {
  return {
    type,
    data,
    metadata: {
      schemaVersion: 1,
      eventId,
      occurredAt: new Date().toISOString(),
      correlationId: randomUUID(),
      causationId: null,
      actor: 'test',
    },
  };
}

/** A category unique to one test run, so tests can share a server (KurrentDB) safely. */
export function uniqueCategory(label: string): string {
  return `t${randomUUID().replaceAll('-', '').slice(0, 12)}_${label}`;
}
