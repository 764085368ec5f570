import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from 'pino';
import type { ReadModelStore } from '#domain/projections/projection.js';
import type { UserDoc } from '#domain/projections/users.projection.js';
import { userStreamId } from '#domain/user/user.events.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import { SystemClock } from '#infrastructure/ids/system-clock.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import type { ViewVersion } from '../views/view-version.js';
import type { Authenticator } from './authenticator.js';
import { authenticatorProvider } from './authenticator.provider.js';
import { SHA512_CRYPT } from '../../../../test/support/password-fixtures.js';
import { testEvent } from '../../../../test/support/events.js';

const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const request = { path: '/api/report_result', method: 'POST', client: '192.0.2.1' };

/**
 * The Nest wiring of the Authenticator: its login log through the application's logger, and the
 * rehash of an imported `$6$` user through the user's stream, over a real event log, the real
 * password threads and a users view of one imported user.
 */
describe('the authenticator as the API wires it', () => {
  let events: SqliteEventStore;
  let auth: Authenticator;
  let lines: { level: 'info' | 'warn'; fields: Record<string, unknown>; message: string }[];

  async function wired(): Promise<Authenticator> {
    events = new SqliteEventStore(':memory:');
    lines = [];
    const logger = {
      info: (fields: Record<string, unknown>, message: string) => lines.push({ level: 'info', fields, message }),
      warn: (fields: Record<string, unknown>, message: string) => lines.push({ level: 'warn', fields, message }),
    } as unknown as Logger;
    const legacy: UserDoc = {
      username: 'legacy',
      passwordHash: SHA512_CRYPT,
      createdAt: '2026-12-06T00:00:00Z',
      updatedAt: '2026-12-06T00:00:00Z',
      lastPosition: 1,
    };
    const store = {
      get: (_definition: unknown, key: string) =>
        Promise.resolve(key === 'legacy' ? { doc: legacy, position: 1 } : null),
    } as unknown as ReadModelStore;
    const provider = authenticatorProvider('logger');
    auth = await provider.useFactory(
      store,
      { version: 1 } as unknown as ViewVersion,
      logger,
      events,
      new UuidV7IdGenerator(),
      new SystemClock(),
    );
    return auth;
  }
  afterEach(async () => {
    await auth.onApplicationShutdown();
    await events.close();
  });

  it('logs a success as info and a refusal as a warning, each with its attempt', async () => {
    const authenticator = await wired();
    expect((await authenticator.authenticate(basic('nobody', 'guess'), request)).ok).toBe(false);
    expect(lines).toEqual([
      {
        level: 'warn',
        fields: { event: 'login', user: 'nobody', success: false, verified: true, ...request },
        message: 'authentication',
      },
    ]);
  });

  it("stores an imported user's password as scrypt in the user's stream, as that user, after a login", async () => {
    const authenticator = await wired();
    await events.append(userStreamId('legacy'), [
      testEvent('UserCreated', { username: 'legacy', passwordHash: SHA512_CRYPT }),
    ]);
    expect((await authenticator.authenticate(basic('legacy', 'dlrn-password'), request)).ok).toBe(true);
    expect(lines[0]).toMatchObject({
      level: 'info',
      fields: { user: 'legacy', success: true },
      message: 'authentication',
    });
    const rehashed = await vi.waitFor(
      async () => {
        const stream = await events.readStream(userStreamId('legacy'));
        expect(stream.map((e) => e.type)).toEqual(['UserCreated', 'UserPasswordRehashed']);
        return stream[1]!;
      },
      { timeout: 10_000 },
    );
    expect(rehashed.data).toMatchObject({ username: 'legacy', passwordHash: expect.stringMatching(/^\$scrypt\$/) });
    expect(rehashed.metadata).toMatchObject({ actor: 'user:legacy', trigger: 'api', causationId: null });
  });

  it('warns with the error when the rehash cannot be stored, and the login still succeeds', async () => {
    const authenticator = await wired();
    await events.append(userStreamId('legacy'), [
      testEvent('UserCreated', { username: 'legacy', passwordHash: SHA512_CRYPT }),
    ]);
    events.append = () => Promise.reject(new Error('disk full'));
    expect((await authenticator.authenticate(basic('legacy', 'dlrn-password'), request)).ok).toBe(true);
    const warning = await vi.waitFor(
      () => {
        const found = lines.find((line) => line.message.startsWith('could not rehash'));
        expect(found).toBeDefined();
        return found!;
      },
      { timeout: 10_000 },
    );
    expect(warning).toMatchObject({
      level: 'warn',
      fields: { event: 'login', err: expect.any(Error) },
      message: 'could not rehash the password of legacy',
    });
  });
});
