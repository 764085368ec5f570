import { DomainError } from '#domain/shared/errors.js';
import { MAX_PASSWORD_BYTES, passwordTooLong } from '#infrastructure/auth/password-hasher.js';

/** A password the API would never accept (none, or too long to hash at the client's choice). */
export class PasswordRefusedError extends DomainError {
  constructor(why: string) {
    super('PASSWORD_REFUSED', why);
  }
}

/** Refuses what the API would never accept; returns the password then. */
export function checkPassword(password: string | null): string {
  if (!password) throw new PasswordRefusedError('a password is required');
  // The API refuses longer ones unhashed (their hashing cost is the attacker's choice).
  if (passwordTooLong(password)) {
    throw new PasswordRefusedError(`the password must be at most ${MAX_PASSWORD_BYTES} bytes`);
  }
  return password;
}
