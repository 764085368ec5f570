import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { isSha512Crypt, verifySha512Crypt } from './sha512-crypt.js';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

const PARAMS = { N: 1 << 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

/**
 * Passwords are stored in modular crypt form: `$scrypt$N=32768,r=8,p=1$<salt>$<hash>` (base64).
 * scrypt is memory-hard and ships with Node. Users imported from DLRN (`dlrn import-db`) keep
 * their passlib `$6$` sha512_crypt hashes, which `verifyPassword` accepts as well.
 */
export async function hashPassword(password: string): Promise<string> {
  if (password.length === 0) throw new Error('the password must not be empty');
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, KEY_LENGTH, { ...PARAMS, maxmem: 64 * 1024 * 1024 });
  return `$scrypt$N=${PARAMS.N},r=${PARAMS.r},p=${PARAMS.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Constant-time check of a password against a `$scrypt$` hash; false for other schemes. */
export async function verifyScrypt(password: string, stored: string): Promise<boolean> {
  const match = /^\$scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(stored);
  if (!match) return false;
  const [, n, r, p, salt, hash] = match;
  const expected = Buffer.from(hash!, 'base64');
  const actual = await scryptAsync(password, Buffer.from(salt!, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
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
