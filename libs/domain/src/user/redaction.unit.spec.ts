import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../shared/event.js';
import { REDACTED, carriesSecrets, redactSecrets } from './redaction.js';

function recorded(type: string, data: object): RecordedEvent {
  return {
    streamId: 'user-alice',
    revision: 0,
    position: 7,
    type,
    data,
    metadata: {
      schemaVersion: 1,
      eventId: '0190-e',
      occurredAt: '2026-12-05T00:00:00.000Z',
      correlationId: 'c',
      causationId: null,
      actor: 'cli:root',
    },
    recordedAt: '2026-12-05T00:00:00.000Z',
  };
}

describe('redactSecrets', () => {
  it.each(['UserCreated', 'UserPasswordChanged', 'UserPasswordRehashed'])(
    '%s: the password hash is replaced, the username and place in the log kept',
    (type) => {
      const event = recorded(type, { username: 'alice', passwordHash: '$scrypt$secret', from: 'sha512_crypt' });
      const out = redactSecrets(event);
      expect(out.data).toEqual({ username: 'alice', passwordHash: REDACTED, from: 'sha512_crypt' });
      expect(out.position).toBe(7);
      expect(JSON.stringify(out)).not.toContain('$scrypt$secret');
      expect((event.data as { passwordHash: string }).passwordHash).toBe('$scrypt$secret');
      expect(carriesSecrets(type)).toBe(true);
    },
  );

  it('adds no password hash to an event of a secret-carrying type that has none', () => {
    const out = redactSecrets(recorded('UserCreated', { username: 'alice' }));
    expect(out.data).toEqual({ username: 'alice' });
    expect(Object.hasOwn(out.data, 'passwordHash')).toBe(false);
  });

  it('an event without secrets is handed back as it is', () => {
    const event = recorded('UserRolesSet', { username: 'alice', roles: ['admin'] });
    expect(redactSecrets(event)).toBe(event);
    expect(carriesSecrets('UserRolesSet')).toBe(false);
    expect(carriesSecrets('BuildSucceeded')).toBe(false);
  });
});
