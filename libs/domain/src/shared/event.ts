/**
 * Every fact the service records is an event: plain, readonly, JSON-serialisable data.
 * `type` names what happened (PascalCase, past tense); `data` is the payload whose shape is
 * fixed per (type, schemaVersion) forever; `metadata` says who, when and why.
 */
export interface EventMetadata {
  /** Version of the `data` shape for this event type; bumped with an upcaster, never edited. */
  readonly schemaVersion: number;
  /** UUIDv7: time-ordered, so the store's unique index stays append-friendly. */
  readonly eventId: string;
  /** ISO-8601 UTC instant at which the fact happened (not when it was stored). */
  readonly occurredAt: string;
  /** Shared by every event of one unit of work (one build pass, one API request). */
  readonly correlationId: string;
  /** The event id or request id that directly caused this one. */
  readonly causationId: string | null;
  /** Who did it: `user:<name>`, `builder:<id>`, `system`, `cli:<user>`. */
  readonly actor: string;
  /** What triggered the unit of work, when there is one (`cron`, `webhook`, `cli`, `api`). */
  readonly trigger?: string;
}

export interface DomainEvent<TType extends string = string, TData extends object = object> {
  readonly type: TType;
  readonly data: Readonly<TData>;
  readonly metadata: EventMetadata;
}

/** An event as the store hands it back: with its place in the stream and in the global log. */
export interface RecordedEvent<E extends DomainEvent = DomainEvent> {
  readonly streamId: string;
  /** 0-based revision inside the stream. */
  readonly revision: number;
  /** 1-based position in the global log; strictly increasing in append order. */
  readonly position: number;
  readonly type: E['type'];
  readonly data: E['data'];
  readonly metadata: EventMetadata;
  /** ISO-8601 UTC instant at which the store committed the event. */
  readonly recordedAt: string;
}

/** What a decider returns: the event without metadata; the command handler stamps it. */
export type EventPayload<E extends DomainEvent = DomainEvent> = E extends DomainEvent
  ? { readonly type: E['type']; readonly data: E['data'] }
  : never;

/** Context a handler stamps on the events it appends. */
export interface EventContext {
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly actor: string;
  readonly trigger?: string;
}
