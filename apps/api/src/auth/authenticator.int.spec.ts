import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ReadModelStore } from '#domain/projections/projection.js';
import type { UserDoc } from '#domain/projections/users.projection.js';
import { hashPassword } from '#infrastructure/auth/password-hasher.js';
import { PasswordPool } from '#infrastructure/auth/password-pool.js';
import type { ViewVersion } from '../views/view-version.js';
import { Authenticator, loggedName, type AuthAuditEntry, type AuthenticatorOptions } from './authenticator.js';
import { LoginLimiter } from './login-limiter.js';
import { SHA512_CRYPT } from '../../../../test/support/password-fixtures.js';

const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const request = (client = '192.0.2.1') => ({ path: '/api/report_result', method: 'POST', client });

/** The real password threads, with the verifications they ran counted. */
class CountingPool extends PasswordPool {
  verifications = 0;
  override verify(password: string, stored: string): Promise<boolean> {
    this.verifications += 1;
    return super.verify(password, stored);
  }
}

/**
 * The Authenticator against the real password threads (scrypt and sha512_crypt), over a users
 * view held in a map (the store's `get`, the only read it makes) and a views version the test
 * moves by hand.
 */
describe('the authenticator (HTTP Basic against the users view)', () => {
  const pool = new CountingPool({ threads: 1 });
  let aliceHash: string;
  let users: Map<string, UserDoc>;
  let views: { version: number };
  let audit: AuthAuditEntry[];
  let lookups: string[];

  const user = (username: string, passwordHash: string, roles?: UserDoc['roles']): UserDoc => ({
    username,
    passwordHash,
    ...(roles === undefined ? {} : { roles }),
    createdAt: '2026-12-06T00:00:00Z',
    updatedAt: '2026-12-06T00:00:00Z',
    lastPosition: 1,
  });
  const store = {
    get: (_definition: unknown, key: string) => {
      lookups.push(key);
      const doc = users.get(key);
      return Promise.resolve(doc === undefined ? null : { doc, position: 1 });
    },
  } as unknown as ReadModelStore;
  const authenticator = (options: Partial<AuthenticatorOptions> = {}) =>
    new Authenticator(store, views as unknown as ViewVersion, (entry) => audit.push(entry), { pool, ...options });

  beforeAll(async () => {
    aliceHash = await hashPassword('correct horse');
  });
  beforeEach(() => {
    users = new Map([['alice', user('alice', aliceHash, ['vote'])]]);
    views = { version: 1 };
    audit = [];
    lookups = [];
    pool.verifications = 0;
  });
  afterAll(() => pool.close());

  describe('when no Authorization header is sent', () => {
    it("answers 'missing' and logs no attempt", async () => {
      expect(await authenticator().authenticate(undefined, request())).toEqual({ ok: false, reason: 'missing' });
      expect(audit).toEqual([]);
    });
  });

  describe('when the header is not Basic credentials', () => {
    it("answers 'invalid' and logs an attempt without a user, unverified", async () => {
      const outcome = await authenticator().authenticate('Bearer abc', request());
      expect(outcome).toEqual({ ok: false, reason: 'invalid' });
      expect(audit).toEqual([
        {
          user: null,
          success: false,
          verified: false,
          path: '/api/report_result',
          method: 'POST',
          client: '192.0.2.1',
        },
      ]);
      expect(pool.verifications).toBe(0);
    });
  });

  describe('when the right password is sent', () => {
    it('answers the user and its roles, verified once', async () => {
      const outcome = await authenticator().authenticate(basic('alice', 'correct horse'), request());
      expect(outcome).toEqual({ ok: true, user: 'alice', roles: ['vote'] });
      expect(audit.map((e) => [e.user, e.success, e.verified])).toEqual([['alice', true, true]]);
      expect(pool.verifications).toBe(1);
    });

    it('answers no roles for a user that has none', async () => {
      users.set('bob', user('bob', aliceHash));
      const outcome = await authenticator().authenticate(basic('bob', 'correct horse'), request());
      expect(outcome).toEqual({ ok: true, user: 'bob', roles: [] });
    });
  });

  describe('when a verified password is sent again', () => {
    it('is accepted from memory, without hashing or reading the view again', async () => {
      const auth = authenticator();
      await auth.authenticate(basic('alice', 'correct horse'), request());
      const again = await auth.authenticate(basic('alice', 'correct horse'), request('198.51.100.7'));
      expect(again).toEqual({ ok: true, user: 'alice', roles: ['vote'] });
      expect(pool.verifications).toBe(1);
      expect(lookups).toEqual(['alice']);
      expect(audit.map((e) => e.verified)).toEqual([true, false]);
    });

    it('is accepted from memory after the views moved, reading the user once more', async () => {
      const auth = authenticator();
      await auth.authenticate(basic('alice', 'correct horse'), request());
      views.version = 2;
      expect((await auth.authenticate(basic('alice', 'correct horse'), request())).ok).toBe(true);
      expect(pool.verifications).toBe(1);
      expect(lookups).toEqual(['alice', 'alice']);
    });

    it('keeps at most 1,000 users known between moves of the views, reading the others each time', async () => {
      // Hashes of no scheme: each check is refused at once, so 1,001 users cost no KDF.
      for (let i = 0; i <= 1_000; i++) users.set(`u${i}`, user(`u${i}`, 'no-scheme'));
      const auth = authenticator({ limiter: new LoginLimiter({ perClient: 10_000 }) });
      for (let i = 0; i <= 1_000; i++) await auth.authenticate(basic(`u${i}`, 'guess'), request());
      lookups = [];
      await auth.authenticate(basic('u0', 'guess'), request());
      await auth.authenticate(basic('u1000', 'guess'), request());
      await auth.authenticate(basic('u1000', 'guess'), request());
      expect(lookups).toEqual(['u1000', 'u1000']);
    });

    it('does not count against the limit: many successes never reach it', async () => {
      const auth = authenticator({ limiter: new LoginLimiter({ perUser: 2, perClient: 2 }) });
      for (let i = 0; i < 5; i++) {
        expect((await auth.authenticate(basic('alice', 'correct horse'), request())).ok).toBe(true);
      }
    });
  });

  describe('when a wrong password follows a right one for the same user', () => {
    it('is refused and checked: the remembered success vouches only for the very same password', async () => {
      const auth = authenticator();
      await auth.authenticate(basic('alice', 'correct horse'), request());
      const wrong = await auth.authenticate(basic('alice', 'correct horsf'), request());
      const prefix = await auth.authenticate(basic('alice', 'correct hors'), request());
      expect(wrong).toEqual({ ok: false, reason: 'invalid' });
      expect(prefix).toEqual({ ok: false, reason: 'invalid' });
      expect(pool.verifications).toBe(3);
      expect(audit.map((e) => [e.success, e.verified])).toEqual([
        [true, true],
        [false, true],
        [false, true],
      ]);
    });
  });

  describe("when the user's password changed after it was remembered", () => {
    it('refuses the old password once the views show the new hash', async () => {
      const auth = authenticator();
      await auth.authenticate(basic('alice', 'correct horse'), request());
      users.set('alice', user('alice', await hashPassword('battery staple'), ['vote']));
      views.version = 2;
      expect(await auth.authenticate(basic('alice', 'correct horse'), request())).toEqual({
        ok: false,
        reason: 'invalid',
      });
      expect((await auth.authenticate(basic('alice', 'battery staple'), request())).ok).toBe(true);
      expect(pool.verifications).toBe(3);
    });

    it('refuses a deleted user that was remembered, once the views move', async () => {
      const auth = authenticator();
      await auth.authenticate(basic('alice', 'correct horse'), request());
      users.delete('alice');
      views.version = 2;
      expect(await auth.authenticate(basic('alice', 'correct horse'), request())).toEqual({
        ok: false,
        reason: 'invalid',
      });
    });
  });

  describe('when the user is unknown', () => {
    it('checks the password against a hash all the same, and refuses', async () => {
      const outcome = await authenticator().authenticate(basic('mallory', 'correct horse'), request());
      expect(outcome).toEqual({ ok: false, reason: 'invalid' });
      expect(pool.verifications).toBe(1);
      expect(audit.map((e) => [e.user, e.success, e.verified])).toEqual([['mallory', false, true]]);
    });
  });

  describe('when the user name or the password cannot be stored', () => {
    it('refuses a 256-character name unhashed, and checks a 255-character one', async () => {
      const auth = authenticator();
      expect(await auth.authenticate(basic('a'.repeat(256), 'x'), request())).toEqual({ ok: false, reason: 'invalid' });
      expect(pool.verifications).toBe(0);
      expect(audit.map((e) => [e.success, e.verified])).toEqual([[false, false]]);
      expect(await auth.authenticate(basic('a'.repeat(255), 'x'), request())).toEqual({ ok: false, reason: 'invalid' });
      expect(pool.verifications).toBe(1);
    });

    it('refuses a password over 256 bytes unhashed, and logs the long name cut', async () => {
      const name = 'n'.repeat(70);
      expect(await authenticator().authenticate(basic(name, 'é'.repeat(129)), request())).toEqual({
        ok: false,
        reason: 'invalid',
      });
      expect(pool.verifications).toBe(0);
      expect(audit[0]!.user).toBe(`${'n'.repeat(64)}…(+6)`);
    });
  });

  describe('when a client is past its limit', () => {
    it('is refused with the time to wait, before any check, even with the right password', async () => {
      const auth = authenticator({ limiter: new LoginLimiter({ perUser: 2, perClient: 10 }) });
      await auth.authenticate(basic('alice', 'wrong-1'), request());
      await auth.authenticate(basic('alice', 'wrong-2'), request());
      const limited = await auth.authenticate(basic('alice', 'correct horse'), request());
      expect(limited).toMatchObject({ ok: false, reason: 'limited' });
      expect(limited.ok === false && limited.reason === 'limited' && limited.retryAfterMs).toBeGreaterThan(0);
      expect(pool.verifications).toBe(2);
      expect(audit.at(-1)).toMatchObject({ user: 'alice', success: false, verified: false });
      // Another client is not limited by it.
      expect((await auth.authenticate(basic('alice', 'correct horse'), request('198.51.100.7'))).ok).toBe(true);
    });
  });

  describe('when the same credentials come from one client while they are checked', () => {
    it('shares the one check; from another client they are checked on their own', async () => {
      const auth = authenticator();
      const same = await Promise.all([
        auth.authenticate(basic('alice', 'correct horse'), request()),
        auth.authenticate(basic('alice', 'correct horse'), request()),
      ]);
      expect(same.map((o) => o.ok)).toEqual([true, true]);
      expect(pool.verifications).toBe(1);
      expect(audit.map((e) => e.verified).sort()).toEqual([false, true]);
      const wrong = await Promise.all([
        auth.authenticate(basic('alice', 'nope'), request()),
        auth.authenticate(basic('alice', 'nope'), request('198.51.100.7')),
      ]);
      expect(wrong.map((o) => o.ok)).toEqual([false, false]);
      expect(pool.verifications).toBe(3);
    });
  });

  describe('when as many checks as allowed are in progress', () => {
    it("answers 'busy' (retry after 1 s) without counting the attempt", async () => {
      const auth = authenticator({ maxChecks: 0, limiter: new LoginLimiter({ perUser: 1, perClient: 1 }) });
      expect(await auth.authenticate(basic('alice', 'correct horse'), request())).toEqual({
        ok: false,
        reason: 'busy',
        retryAfterMs: 1_000,
      });
      // Not counted: the same client is refused busy again, not limited.
      expect(await auth.authenticate(basic('alice', 'correct horse'), request())).toMatchObject({ reason: 'busy' });
      expect(pool.verifications).toBe(0);
      expect(audit.map((e) => [e.user, e.success, e.verified])).toEqual([
        ['alice', false, false],
        ['alice', false, false],
      ]);
    });

    it('takes a check again once the one in progress ended (one allowed)', async () => {
      const auth = authenticator({ maxChecks: 1 });
      const both = await Promise.all([
        auth.authenticate(basic('alice', 'wrong-1'), request()),
        auth.authenticate(basic('bob', 'wrong-2'), request('198.51.100.7')),
      ]);
      expect(both.map((o) => (o.ok ? 'ok' : o.reason)).sort()).toEqual(['busy', 'invalid']);
      expect(pool.verifications).toBe(1);
      for (const client of ['203.0.113.1', '203.0.113.2']) {
        expect((await auth.authenticate(basic('alice', 'correct horse'), request(client))).ok).toBe(true);
      }
    });
  });

  describe('when the password threads fail otherwise', () => {
    it('lets the error through, not a busy answer', async () => {
      const failing = Object.assign(Object.create(pool) as PasswordPool, {
        verify: () => Promise.reject(new Error('thread crashed')),
      });
      await expect(authenticator({ pool: failing }).authenticate(basic('alice', 'x'), request())).rejects.toThrow(
        'thread crashed',
      );
    });
  });

  describe('when an imported DLRN user ($6$) logs in', () => {
    it('rehashes the password to scrypt once, replacing the hash just verified', async () => {
      users.set('legacy', user('legacy', SHA512_CRYPT));
      const rehashed: [string, string, string][] = [];
      let done!: () => void;
      const stored = new Promise<void>((resolve) => (done = resolve));
      const auth = authenticator({
        rehash: (username, replaces, passwordHash) => {
          rehashed.push([username, replaces, passwordHash]);
          done();
          return Promise.resolve();
        },
      });
      expect(await auth.authenticate(basic('legacy', 'dlrn-password'), request())).toEqual({
        ok: true,
        user: 'legacy',
        roles: [],
      });
      await stored;
      expect(rehashed).toHaveLength(1);
      expect(rehashed[0]![0]).toBe('legacy');
      expect(rehashed[0]![1]).toBe(SHA512_CRYPT);
      expect(rehashed[0]![2]).toMatch(/^\$scrypt\$/);
      expect(await pool.verify('dlrn-password', rehashed[0]![2])).toBe(true);
    });

    it('says so when the rehash fails, and the login still succeeds', async () => {
      users.set('legacy', user('legacy', SHA512_CRYPT));
      let warned!: (message: string) => void;
      const warning = new Promise<string>((resolve) => (warned = resolve));
      const auth = authenticator({
        rehash: () => Promise.reject(new Error('disk full')),
        warn: (message) => warned(message),
      });
      expect((await auth.authenticate(basic('legacy', 'dlrn-password'), request())).ok).toBe(true);
      expect(await warning).toBe('could not rehash the password of legacy');
    });

    it('checks the password again at the next login after a failed rehash, and rehashes then', async () => {
      users.set('legacy', user('legacy', SHA512_CRYPT));
      const attempts: string[] = [];
      const warnings: string[] = [];
      const auth = authenticator({
        rehash: (username) => {
          attempts.push(username);
          return attempts.length === 1 ? Promise.reject(new Error('disk full')) : Promise.resolve();
        },
        warn: (message) => warnings.push(message),
      });
      expect((await auth.authenticate(basic('legacy', 'dlrn-password'), request())).ok).toBe(true);
      // One password thread, first in first out: the rehash (and its failure) ends before this hash.
      await pool.hash('barrier');
      expect(warnings).toEqual(['could not rehash the password of legacy']);
      const before = pool.verifications;
      expect((await auth.authenticate(basic('legacy', 'dlrn-password'), request())).ok).toBe(true);
      expect(pool.verifications).toBe(before + 1);
      await pool.hash('barrier');
      expect(attempts).toEqual(['legacy', 'legacy']);
      expect(warnings).toHaveLength(1);
    });

    it('does not rehash a scrypt user', async () => {
      const rehashed: string[] = [];
      const auth = authenticator({ rehash: (username) => Promise.resolve(void rehashed.push(username)) });
      await auth.authenticate(basic('alice', 'correct horse'), request());
      // One password thread, first in first out: a rehash started by the login ends before this hash.
      await pool.hash('barrier');
      expect(rehashed).toEqual([]);
    });
  });

  describe('a user name as logged', () => {
    it('is kept up to 64 characters and cut after, saying how many more there were', () => {
      expect(loggedName('x'.repeat(64))).toBe('x'.repeat(64));
      expect(loggedName('x'.repeat(65))).toBe(`${'x'.repeat(64)}…(+1)`);
    });
  });
});
