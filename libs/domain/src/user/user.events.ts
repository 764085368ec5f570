import type { DomainEvent } from '../shared/event.js';
import type { Role } from './user-roles.js';

/**
 * Password hashes are stored in modular crypt form, the scheme in the prefix: our own KDF
 * (`$scrypt$…`) or DLRN's passlib sha512_crypt (`$6$…`) for imported users.
 */
export type UserCreated = DomainEvent<'UserCreated', { readonly username: string; readonly passwordHash: string }>;
export type UserPasswordChanged = DomainEvent<
  'UserPasswordChanged',
  { readonly username: string; readonly passwordHash: string }
>;
export type UserDeleted = DomainEvent<'UserDeleted', { readonly username: string }>;

/** The scheme of a stored hash, as its modular crypt prefix names it. */
export type PasswordScheme = 'scrypt' | 'sha512_crypt';

/**
 * The same password, stored under a stronger scheme: the API verified it against the hash it
 * replaces (`from`, a DLRN `$6$` one) and hashed it again with ours. Not a password change: the
 * user did nothing but log in.
 */
export type UserPasswordRehashed = DomainEvent<
  'UserPasswordRehashed',
  { readonly username: string; readonly passwordHash: string; readonly from: PasswordScheme }
>;

/**
 * What the user may do from now on (roles sorted, no repeats); an empty list is DLRN's
 * behaviour, everything. A user created without this event has no roles.
 */
export type UserRolesSet = DomainEvent<'UserRolesSet', { readonly username: string; readonly roles: readonly Role[] }>;

export type UserEvent = UserCreated | UserPasswordChanged | UserPasswordRehashed | UserRolesSet | UserDeleted;

/** The scheme of a stored hash; null for one this service cannot verify. */
export function passwordSchemeOf(passwordHash: string): PasswordScheme | null {
  if (passwordHash.startsWith('$scrypt$')) return 'scrypt';
  if (passwordHash.startsWith('$6$')) return 'sha512_crypt';
  return null;
}

export function userStreamId(username: string): string {
  return `user-${username}`;
}
