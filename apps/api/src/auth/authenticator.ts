import { createHash } from 'node:crypto';
import type { ReadModelStore } from '#domain/projections/projection.js';
import { usersProjection, type UserDoc } from '#domain/projections/users.projection.js';
import { verifyPassword } from '#infrastructure/auth/password-hasher.js';
import type { ViewVersion } from '../views/view-version.js';
import { parseBasicAuthorization } from './basic-credentials.js';
import { LoginLimiter } from './login-limiter.js';

export type AuthOutcome =
  | { readonly ok: true; readonly user: string }
  | { readonly ok: false; readonly reason: 'missing' | 'invalid' }
  | { readonly ok: false; readonly reason: 'limited'; readonly retryAfterMs: number };

export interface AuthAudit {
  (entry: { user: string | null; success: boolean; path: string; method: string; client: string }): void;
}

/**
 * DLRN's DBAuthentication: HTTP Basic checked against the `users` view (scrypt hashes, or
 * DLRN's sha512_crypt for imported users), every valid user may do everything. Verified
 * credentials are remembered (as a digest, for as long as the stored hash is unchanged) so a
 * protected read does not pay for a memory-hard KDF on every request.
 */
export class Authenticator {
  private readonly verified = new Set<string>();

  constructor(
    private readonly store: ReadModelStore,
    private readonly views: ViewVersion,
    private readonly audit: AuthAudit,
    private readonly limiter = new LoginLimiter(),
  ) {}

  async authenticate(
    authorization: string | undefined,
    request: { path: string; method: string; client: string },
  ): Promise<AuthOutcome> {
    const credentials = parseBasicAuthorization(authorization);
    if (credentials === null) {
      if (authorization) this.audit({ user: null, success: false, ...request });
      return { ok: false, reason: authorization ? 'invalid' : 'missing' };
    }
    // Per client and user name: one misconfigured CI job behind a shared address does not lock out the rest.
    const client = `${request.client}\0${credentials.username}`;
    const retryAfterMs = this.limiter.retryAfterMs(client);
    if (retryAfterMs > 0) {
      this.audit({ user: credentials.username, success: false, ...request });
      return { ok: false, reason: 'limited', retryAfterMs };
    }
    const user = await this.views.cached(`user:${credentials.username}`, async () => {
      const stored = await this.store.get<UserDoc>(usersProjection, credentials.username);
      return stored?.doc ?? null;
    });
    const ok = user !== null && (await this.check(credentials.password, user));
    this.audit({ user: credentials.username, success: ok, ...request });
    if (!ok) {
      this.limiter.recordFailure(client);
      return { ok: false, reason: 'invalid' };
    }
    return { ok: true, user: credentials.username };
  }

  private async check(password: string, user: UserDoc): Promise<boolean> {
    const digest = createHash('sha256')
      .update(user.username)
      .update('\0')
      .update(password)
      .update('\0')
      .update(user.passwordHash)
      .digest('base64');
    if (this.verified.has(digest)) return true;
    const ok = await verifyPassword(password, user.passwordHash);
    if (ok) {
      if (this.verified.size > 10_000) this.verified.clear();
      this.verified.add(digest);
    }
    return ok;
  }
}
