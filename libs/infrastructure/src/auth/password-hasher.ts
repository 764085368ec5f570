import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { isSha512Crypt, verifySha512Crypt } from './sha512-crypt.js';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/** scrypt's cost for new hashes (about 85 ms and 32 MiB each on a 2020s core). */
export const SCRYPT_PARAMS = { N: 1 << 15, r: 8, p: 1 } as const;
export const SCRYPT_KEY_LENGTH = 32;
/** What scrypt may allocate: twice what the parameters above need, refusing stored hashes that ask for more. */
export const SCRYPT_MAX_MEMORY = 64 * 1024 * 1024;

/**
 * Longest password accepted, in UTF-8 bytes. sha512_crypt's cost grows with the password's
 * length (a 1,000-character one costs 6 s at passlib's 656,000 rounds), so longer ones are
 * refused before any hashing; 256 bytes is far above what people and CI secrets use.
 */
export const MAX_PASSWORD_BYTES = 256;

export function passwordTooLong(password: string): boolean {
  // Characters are at least one byte: most passwords are answered without encoding them.
  return password.length > MAX_PASSWORD_BYTES || Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES;
}

export interface ScryptHash {
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

const SCRYPT_FORM = /^\$scrypt\$N=(\d{1,10}),r=(\d{1,5}),p=(\d{1,5})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

/** Parses `$scrypt$N=…,r=…,p=…$<salt>$<hash>`; null when it is not one. */
export function parseScrypt(stored: string): ScryptHash | null {
  const match = SCRYPT_FORM.exec(stored);
  if (!match) return null;
  const [, n, r, p, salt, hash] = match;
  return {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    salt: Buffer.from(salt!, 'base64'),
    hash: Buffer.from(hash!, 'base64'),
  };
}

/** The modular crypt form of a scrypt hash made with SCRYPT_PARAMS. */
export function formatScrypt(salt: Buffer, hash: Buffer): string {
  const { N, r, p } = SCRYPT_PARAMS;
  return `$scrypt$N=${N},r=${r},p=${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/**
 * Passwords are stored in modular crypt form: `$scrypt$N=32768,r=8,p=1$<salt>$<hash>` (base64).
 * scrypt is memory-hard and ships with Node. Users imported from DLRN (`dlrn import-db`) keep
 * their passlib `$6$` sha512_crypt hashes, which `verifyPassword` accepts as well (the API
 * rehashes them to scrypt at their first successful login). The API hashes and verifies in its
 * password threads (`PasswordPool`); these functions are for the CLI and tests.
 */
export async function hashPassword(password: string): Promise<string> {
  if (password.length === 0) throw new Error('the password must not be empty');
  if (passwordTooLong(password)) throw new Error(`the password must be at most ${MAX_PASSWORD_BYTES} bytes`);
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, SCRYPT_KEY_LENGTH, { ...SCRYPT_PARAMS, maxmem: SCRYPT_MAX_MEMORY });
  return formatScrypt(salt, hash);
}

/** Constant-time check of a password against a `$scrypt$` hash; false for other schemes. */
export async function verifyScrypt(password: string, stored: string): Promise<boolean> {
  const parsed = parseScrypt(stored);
  if (parsed === null) return false;
  const { N, r, p, salt, hash: expected } = parsed;
  const actual = await scryptAsync(password, salt, expected.length, { N, r, p, maxmem: SCRYPT_MAX_MEMORY });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * Constant-time check of a password against a stored hash of either scheme: ours (`$scrypt$`)
 * or DLRN's passlib sha512_crypt (`$6$[rounds=N$]salt$checksum`). False for anything else.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (stored.startsWith('$scrypt$')) return verifyScrypt(password, stored);
  if (isSha512Crypt(stored)) return verifySha512Crypt(password, stored);
  return false;
}
