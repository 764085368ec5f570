import type { RecordedEvent } from '#domain/shared/event.js';
import { redactSecrets } from '#domain/user/redaction.js';

/** An event as the API shows it (`/api/builds/{id}/events`, `/api/events`, the event stream). */
export interface EventAnswer {
  readonly position: number;
  readonly stream?: string;
  readonly revision: number;
  readonly type: string;
  readonly schema_version: number;
  readonly event_id: string;
  readonly occurred_at: string;
  readonly actor: string;
  readonly trigger: string | null;
  readonly correlation_id: string;
  readonly data: object;
}

export interface EventAnswerOptions {
  /** Adds the event's stream (the log's readers need it; a stream's own listing does not). */
  readonly withStream?: boolean;
  /**
   * False only for an admin's full read: every other answer has its secrets (password hashes)
   * replaced by `[redacted]` (`redactSecrets`).
   */
  readonly redact?: boolean;
}

/** The one mapping of a recorded event to its JSON answer, secrets redacted unless told otherwise. */
export function eventAnswer(recorded: RecordedEvent, options: EventAnswerOptions = {}): EventAnswer {
  const event = options.redact === false ? recorded : redactSecrets(recorded);
  return {
    position: event.position,
    ...(options.withStream ? { stream: event.streamId } : {}),
    revision: event.revision,
    type: event.type,
    schema_version: event.metadata.schemaVersion,
    event_id: event.metadata.eventId,
    occurred_at: event.metadata.occurredAt,
    actor: event.metadata.actor,
    trigger: event.metadata.trigger ?? null,
    correlation_id: event.metadata.correlationId,
    data: event.data,
  };
}
