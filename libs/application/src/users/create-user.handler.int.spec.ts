import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { SystemClock } from '#infrastructure/ids/system-clock.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import { CreateUserCommand, CreateUserHandler } from './create-user.handler.js';

const context = { correlationId: 'c-1', causationId: null, actor: 'cli:admin', trigger: 'cli' };

describe('creating a user', () => {
  let root: string;
  let store: SqliteEventStore;
  let handler: CreateUserHandler;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'dlrn-users-'));
    store = new SqliteEventStore(join(root, 'events.sqlite'));
    handler = new CreateUserHandler(new DeciderCommandHandler(store, new UuidV7IdGenerator(), new SystemClock()));
  });
  afterEach(async () => {
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  it('records the user with a hash of the password, never the password, and its roles', async () => {
    await handler.execute(new CreateUserCommand('ci', 'secret', ['vote'], context));
    const events = await store.readStream('user-ci');
    expect(events.map((e) => e.type)).toEqual(['UserCreated', 'UserRolesSet']);
    expect(JSON.stringify(events)).not.toContain('secret');
    expect(events[0]!.data).toMatchObject({ username: 'ci', passwordHash: expect.stringMatching(/^\$scrypt\$/) });
  });

  it('refuses a missing or too long password, and a user that exists, recording nothing more', async () => {
    await expect(handler.execute(new CreateUserCommand('ci', '', [], context))).rejects.toMatchObject({
      code: 'PASSWORD_REFUSED',
      message: 'a password is required',
    });
    await expect(handler.execute(new CreateUserCommand('ci', 'x'.repeat(257), [], context))).rejects.toMatchObject({
      code: 'PASSWORD_REFUSED',
      message: 'the password must be at most 256 bytes',
    });
    await handler.execute(new CreateUserCommand('ci', 'secret', [], context));
    await expect(handler.execute(new CreateUserCommand('ci', 'other', [], context))).rejects.toMatchObject({
      code: 'USER_EXISTS',
    });
    expect(await store.readStream('user-ci')).toHaveLength(1);
  });
});
