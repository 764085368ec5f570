import { createHash } from 'node:crypto';
import type { ReadModelStore } from '#domain/projections/projection.js';
import { usersProjection, type UserDoc } from '#domain/projections/users.projection.js';
import type { Role } from '#domain/user/user-roles.js';
import { passwordSchemeOf } from '#domain/user/user.events.js';
import { passwordTooLong } from '#infrastructure/auth/password-hasher.js';
import { PasswordPoolBusyError, type PasswordPool } from '#infrastructure/auth/password-pool.js';
import type { ViewVersion } from '../views/view-version.js';
import { parseBasicAuthorization } from './basic-credentials.js';
import { ConcurrencyGate } from './concurrency-gate.js';
import { LoginLimiter } from './login-limiter.js';

export type AuthOutcome =
  | { readonly ok: true; readonly user: string; readonly roles: readonly Role[] }
  | { readonly ok: false; readonly reason: 'missing' | 'invalid' }
  | { readonly ok: false; readonly reason: 'limited' | 'busy'; readonly retryAfterMs: number };

export interface AuthAuditEntry {
  /** The name as sent, cut to LOGGED_NAME_LENGTH characters: the log must not grow with it. */
  readonly user: string | null;
  readonly success: boolean;
  /** Whether a password hash was computed for this attempt (false: refused first, or remembered). */
  readonly verified: boolean;
  readonly path: string;
  readonly method: string;
  readonly client: string;
}

export type AuthAudit = (entry: AuthAuditEntry) => void;

export interface AuthenticatorOptions {
  readonly pool: PasswordPool;
  /** Stores `passwordHash` in place of `replaces` (a `$6$` hash just verified) through the event log. */
  readonly rehash?: (username: string, replaces: string, passwordHash: string) => Promise<void>;
  /** Told when a rehash failed (the login itself succeeded). */
  readonly warn?: (message: string, error: unknown) => void;
  readonly limiter?: LoginLimiter;
  /** Password checks in progress or waiting at most; past it logins answer 503. */
  readonly maxChecks?: number;
  /** Checks at once for one client, and for one user name; the others wait. */
  readonly checksPerKey?: number;
}

/** DLRN's users.username column. */
const MAX_USERNAME_LENGTH = 255;
export const LOGGED_NAME_LENGTH = 64;

/**
 * What an unknown user's password is checked against: a scrypt hash (same parameters as ours)
 * of a random password nobody kept, so an unknown name costs what a known one does.
 */
const UNKNOWN_USER_HASH =
  '$scrypt$N=32768,r=8,p=1$dC7IULuzxHHwMBU/bT9juQ==$DpMLmspJMksS8Mz8YwA7xjiY6TbUW6gOzGSbn8SuSmk=';

/** Remembered successes and known users, at most (each a few hundred bytes). */
const MAX_REMEMBERED = 10_000;
const MAX_KNOWN_USERS = 1_000;

/**
 * DLRN's DBAuthentication: HTTP Basic checked against the `users` view (scrypt hashes, or
 * DLRN's sha512_crypt for imported users); what the user may do is its roles' business
 * (`roleFor`, `mayAct`: without roles, as in DLRN, everything).
 *
 * Against guessing: the attempt is counted (LoginLimiter, per client) before anything else;
 * hashing runs in the password threads, at most `checksPerKey` at once per client and per user
 * name; an unknown name is checked against a hash all the same. Verified credentials are
 * remembered (as a digest, for as long as the stored hash is unchanged) so a protected read does
 * not pay for a memory-hard KDF on every request. Nothing is remembered about unknown names.
 */
export class Authenticator {
  private readonly verified = new Set<string>();
  private known: { readonly version: number; readonly users: Map<string, UserDoc> } = { version: -1, users: new Map() };
  private readonly limiter: LoginLimiter;
  private readonly clientGate: ConcurrencyGate;
  private readonly userGate: ConcurrencyGate;
  private readonly rehashing = new Set<string>();
  private checks = 0;

  constructor(
    private readonly store: ReadModelStore,
    private readonly views: ViewVersion,
    private readonly audit: AuthAudit,
    private readonly options: AuthenticatorOptions,
  ) {
    this.limiter = options.limiter ?? new LoginLimiter();
    this.clientGate = new ConcurrencyGate(options.checksPerKey ?? 2);
    this.userGate = new ConcurrencyGate(options.checksPerKey ?? 2);
  }

  async authenticate(
    authorization: string | undefined,
    request: { path: string; method: string; client: string },
  ): Promise<AuthOutcome> {
    const credentials = parseBasicAuthorization(authorization);
    if (credentials === null) {
      if (authorization) this.audit({ user: null, success: false, verified: false, ...request });
      return { ok: false, reason: authorization ? 'invalid' : 'missing' };
    }
    const { username, password } = credentials;
    const report = (success: boolean, verified: boolean): void =>
      this.audit({ user: loggedName(username), success, verified, ...request });
    // Counted before any await: parallel guesses see each other.
    const begun = this.limiter.begin(request.client, username);
    if (!begun.ok) {
      report(false, false);
      return { ok: false, reason: 'limited', retryAfterMs: begun.retryAfterMs };
    }
    // No such user can exist, and no such password can be checked: refused unhashed, still counted.
    if (username.length > MAX_USERNAME_LENGTH || passwordTooLong(password)) {
      report(false, false);
      return { ok: false, reason: 'invalid' };
    }
    const user = await this.findUser(username);
    const digest = user && credentialsDigest(user, password);
    if (digest && this.verified.has(digest)) {
      this.limiter.forget(request.client, begun.attempt);
      report(true, false);
      return { ok: true, user: username, roles: user.roles ?? [] };
    }
    let ok: boolean;
    try {
      ok = await this.check(request.client, username, password, user?.passwordHash ?? UNKNOWN_USER_HASH);
    } catch (error) {
      // Not checked, so not a failure of this client's: the attempt does not count.
      this.limiter.forget(request.client, begun.attempt);
      if (error instanceof PasswordPoolBusyError) {
        report(false, false);
        return { ok: false, reason: 'busy', retryAfterMs: 1_000 };
      }
      throw error;
    }
    ok &&= user !== null;
    report(ok, true);
    if (!ok || user === null || digest === null) return { ok: false, reason: 'invalid' };
    this.limiter.forget(request.client, begun.attempt);
    if (this.verified.size >= MAX_REMEMBERED) this.verified.clear();
    this.verified.add(digest);
    if (passwordSchemeOf(user.passwordHash) === 'sha512_crypt') this.rehash(user, password);
    return { ok: true, user: username, roles: user.roles ?? [] };
  }

  /** Stops the password threads with the application (Nest's hook). */
  async onApplicationShutdown(): Promise<void> {
    await this.options.pool.close();
  }

  private async check(client: string, username: string, password: string, stored: string): Promise<boolean> {
    if (this.checks >= (this.options.maxChecks ?? 256)) {
      throw new PasswordPoolBusyError(`${this.checks} password checks are in progress`);
    }
    this.checks += 1;
    try {
      const leaveClient = await this.clientGate.enter(client);
      try {
        const leaveUser = await this.userGate.enter(username);
        try {
          return await this.options.pool.verify(password, stored);
        } finally {
          leaveUser();
        }
      } finally {
        leaveClient();
      }
    } finally {
      this.checks -= 1;
    }
  }

  /** Existing users only, for as long as the views do not move. */
  private async findUser(username: string): Promise<UserDoc | null> {
    if (this.known.version !== this.views.version) this.known = { version: this.views.version, users: new Map() };
    const hit = this.known.users.get(username);
    if (hit !== undefined) return hit;
    const known = this.known;
    const stored = await this.store.get<UserDoc>(usersProjection, username);
    if (stored === null) return null;
    if (known.users.size < MAX_KNOWN_USERS) known.users.set(username, stored.doc);
    return stored.doc;
  }

  /** DLRN's `$6$` hash verified: store the same password as scrypt, in the background, once. */
  private rehash(user: UserDoc, password: string): void {
    const rehash = this.options.rehash;
    if (rehash === undefined || this.rehashing.has(user.username)) return;
    this.rehashing.add(user.username);
    void this.options.pool
      .hash(password)
      .then((hash) => rehash(user.username, user.passwordHash, hash))
      .catch((error: unknown) =>
        this.options.warn?.(`could not rehash the password of ${loggedName(user.username)}`, error),
      )
      .finally(() => this.rehashing.delete(user.username));
  }
}

function credentialsDigest(user: UserDoc, password: string): string {
  return createHash('sha256')
    .update(user.username)
    .update('\0')
    .update(password)
    .update('\0')
    .update(user.passwordHash)
    .digest('base64');
}

/** A user name as logged: at most LOGGED_NAME_LENGTH characters, then how many more there were. */
export function loggedName(username: string): string {
  if (username.length <= LOGGED_NAME_LENGTH) return username;
  return `${username.slice(0, LOGGED_NAME_LENGTH)}…(+${username.length - LOGGED_NAME_LENGTH})`;
}
