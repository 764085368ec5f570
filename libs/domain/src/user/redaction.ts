import type { RecordedEvent } from '../shared/event.js';

/** What replaces a secret in an event read outside the server. */
export const REDACTED = '[redacted]';

/** Data fields that hold secrets, by event type. Every read that leaves the server drops them. */
const SECRET_FIELDS: Readonly<Record<string, readonly string[]>> = {
  UserCreated: ['passwordHash'],
  UserPasswordChanged: ['passwordHash'],
  UserPasswordRehashed: ['passwordHash'],
};

/** Whether events of this type carry a secret (a password hash). */
export function carriesSecrets(type: string): boolean {
  return Object.hasOwn(SECRET_FIELDS, type);
}

/**
 * The event as it may leave the server: password hashes replaced by `[redacted]`, everything
 * else (including metadata and position) untouched. Events without secrets are returned as they
 * are (same object).
 */
export function redactSecrets<E extends RecordedEvent>(event: E): E {
  const fields = SECRET_FIELDS[event.type];
  if (fields === undefined) return event;
  const data: Record<string, unknown> = { ...(event.data as Record<string, unknown>) };
  for (const field of fields) if (Object.hasOwn(data, field)) data[field] = REDACTED;
  return { ...event, data };
}
