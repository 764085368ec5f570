import type { DomainEvent } from '../shared/event.js';

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

export type UserEvent = UserCreated | UserPasswordChanged | UserDeleted;

export function userStreamId(username: string): string {
  return `user-${username}`;
}
