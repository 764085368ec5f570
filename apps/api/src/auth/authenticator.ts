import { createHash } from 'node:crypto';
import type { ReadModelStore } from '#domain/projections/projection.js';
import { usersProjection, type UserDoc } from '#domain/projections/users.projection.js';
import type { Role } from '#domain/user/user-roles.js';
import { passwordSchemeOf } from '#domain/user/user.events.js';
import { passwordTooLong } from '#infrastructure/auth/password-hasher.js';
import { PasswordPoolBusyError, type PasswordPool } from '#infrastructure/auth/password-pool.js';
import type { ViewVersion } from '../views/view-version.js';
import { parseBasicAuthorization } from './basic-credentials.js';
import { ConcurrencyGate, GateFullError } from './concurrency-gate.js';
import { clientKey, LoginLimiter } from './login-limiter.js';

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

/** Password checks that may wait for one user name's turn; see the user gate. */
const MAX_WAITING_PER_USER = 16;

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
  /** Digest of verified user name and password → the stored hash they were verified against. */
  private readonly verified = new Map<string, string>();
  /** Checks in progress by client and credentials (at most `maxChecks` plus the cached answers). */
  private readonly inFlight = new Map<string, Promise<AuthOutcome>>();
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
    // Many clients, each within its limits, must not queue one user's checks without end (a `$6$`
    // check takes a second): past this many waiting, the attempt answers 503 and does not count.
    this.userGate = new ConcurrencyGate(options.checksPerKey ?? 2, MAX_WAITING_PER_USER);
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
    const digest = credentialsDigest(username, password);
    // The same credentials from the same client while they are being checked: the same guess, so
    // it shares that check's outcome and is no attempt of its own (a CI job's first parallel
    // requests are not limited). Only the same client's: another learns nothing from it.
    const sameAttempt = `${clientKey(request.client)}\0${digest}`;
    const pending = this.inFlight.get(sameAttempt);
    if (pending !== undefined) {
      const outcome = await pending;
      report(outcome.ok, false);
      return outcome;
    }
    const attempt = this.attempt(username, password, digest, request.client, report);
    this.inFlight.set(sameAttempt, attempt);
    try {
      return await attempt;
    } finally {
      this.inFlight.delete(sameAttempt);
    }
  }

  private async attempt(
    username: string,
    password: string,
    digest: string,
    client: string,
    report: (success: boolean, verified: boolean) => void,
  ): Promise<AuthOutcome> {
    // Counted before anything else, the remembered credentials below included: a client past its
    // limit learns nothing, not even whether a guess is one the real user sent before.
    const begun = this.limiter.begin(client, username);
    if (!begun.ok) {
      report(false, false);
      return { ok: false, reason: 'limited', retryAfterMs: begun.retryAfterMs };
    }
    // Credentials verified before (against the hash still stored) un-count in the same turn, so
    // a CI job sending many requests at once with the right password is never limited.
    const remembered = this.verified.get(digest);
    const known = remembered === undefined ? undefined : this.knownUser(username);
    if (known !== undefined && known.passwordHash === remembered) {
      this.limiter.forget(client, begun.attempt);
      report(true, false);
      return { ok: true, user: username, roles: known.roles ?? [] };
    }
    // No such user can exist, and no such password can be checked: refused unhashed, still counted.
    if (username.length > MAX_USERNAME_LENGTH || passwordTooLong(password)) {
      report(false, false);
      return { ok: false, reason: 'invalid' };
    }
    const user = await this.findUser(username);
    if (remembered !== undefined && user !== null && user.passwordHash === remembered) {
      this.limiter.forget(client, begun.attempt);
      report(true, false);
      return { ok: true, user: username, roles: user.roles ?? [] };
    }
    let ok: boolean;
    try {
      ok = await this.check(client, username, password, user?.passwordHash ?? UNKNOWN_USER_HASH);
    } catch (error) {
      // Not checked, so not a failure of this client's: the attempt does not count.
      this.limiter.forget(client, begun.attempt);
      if (error instanceof PasswordPoolBusyError) {
        report(false, false);
        return { ok: false, reason: 'busy', retryAfterMs: 1_000 };
      }
      throw error;
    }
    ok &&= user !== null;
    report(ok, true);
    if (!ok || user === null) return { ok: false, reason: 'invalid' };
    this.limiter.forget(client, begun.attempt);
    if (this.verified.size >= MAX_REMEMBERED) this.verified.clear();
    this.verified.set(digest, user.passwordHash);
    if (passwordSchemeOf(user.passwordHash) === 'sha512_crypt') this.rehash(user, password, digest);
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
      // Per client as the limiter counts it (an IPv6 /64), so fresh addresses buy no more checks.
      const leaveClient = await this.clientGate.enter(clientKey(client));
      try {
        const leaveUser = await this.userGate.enter(username).catch((error: unknown) => {
          throw error instanceof GateFullError ? new PasswordPoolBusyError(error.message) : error;
        });
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

  /** An existing user known at the current views version; undefined when not known (yet). */
  private knownUser(username: string): UserDoc | undefined {
    if (this.known.version !== this.views.version) this.known = { version: this.views.version, users: new Map() };
    return this.known.users.get(username);
  }

  /** Existing users only, for as long as the views do not move. */
  private async findUser(username: string): Promise<UserDoc | null> {
    const hit = this.knownUser(username);
    if (hit !== undefined) return hit;
    const known = this.known;
    const stored = await this.store.get(usersProjection, username);
    if (stored === null) return null;
    if (known.users.size < MAX_KNOWN_USERS) known.users.set(username, stored.doc);
    return stored.doc;
  }

  /**
   * DLRN's `$6$` hash verified: store the same password as scrypt, in the background, once. When
   * that fails (a full disk), the credentials are forgotten, so the next login checks them again
   * and tries the rehash again; remembered, they would stay `$6$` until a restart.
   */
  private rehash(user: UserDoc, password: string, digest: string): void {
    const rehash = this.options.rehash;
    if (rehash === undefined || this.rehashing.has(user.username)) return;
    this.rehashing.add(user.username);
    void this.options.pool
      .hash(password)
      .then((hash) => rehash(user.username, user.passwordHash, hash))
      .catch((error: unknown) => {
        this.verified.delete(digest);
        this.options.warn?.(`could not rehash the password of ${loggedName(user.username)}`, error);
      })
      .finally(() => this.rehashing.delete(user.username));
  }
}

function credentialsDigest(username: string, password: string): string {
  return createHash('sha256').update(username).update('\0').update(password).digest('base64');
}

/** A user name as logged: at most LOGGED_NAME_LENGTH characters, then how many more there were. */
export function loggedName(username: string): string {
  if (username.length <= LOGGED_NAME_LENGTH) return username;
  return `${username.slice(0, LOGGED_NAME_LENGTH)}…(+${username.length - LOGGED_NAME_LENGTH})`;
}
