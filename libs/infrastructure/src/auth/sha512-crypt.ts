import { createHash, timingSafeEqual, type Hash } from 'node:crypto';

/*
 * SHA-crypt with SHA-512 (`$6$`), after Ulrich Drepper's specification "Unix crypt using SHA-256
 * and SHA-512" as glibc and libxcrypt implement it. DLRN's users table holds passlib
 * `sha512_crypt` hashes (`$6$rounds=656000$<salt>$<checksum>`), which are this format.
 *
 * Written here rather than taken from npm: the one maintained package (unixcrypt 3.0.4) gets
 * passwords whose length is a multiple of 64 bytes wrong (it drops the last block of step 10 and
 * 16), so it does not match glibc.
 */

const DEFAULT_ROUNDS = 5000;
const MIN_ROUNDS = 1000;
const MAX_ROUNDS = 999_999_999;
const MAX_SALT = 16;

/**
 * `$6$[rounds=N$]<salt>$<86 chars>`. libxcrypt refuses rounds outside [1000, 999999999] and
 * leading zeros, and so does passlib; salts are at most 16 characters.
 */
const SHA512_CRYPT = /^\$6\$(?:rounds=([1-9]\d{0,8})\$)?([^$:\n]{0,16})\$([./0-9A-Za-z]{86})$/;

export interface Sha512CryptSetting {
  readonly salt: string;
  readonly rounds: number;
  /** Whether `rounds=` is written out (glibc writes it whenever it was given, even 5000). */
  readonly explicitRounds: boolean;
}

/** Whether `stored` looks like a `$6$` hash (it may still have invalid parameters). */
export function isSha512Crypt(stored: string): boolean {
  return stored.startsWith('$6$');
}

/**
 * The 86-character checksum of `password` for a salt and a number of rounds, yielding every
 * 20,000 rounds so that a caller on an event loop can let others run. It is self-contained (no
 * use of its module's scope, the SHA-512 constructor passed in) because the password threads run its source
 * text: the same code runs from the TypeScript sources and from the compiled output.
 */
export function* sha512CryptSteps(
  sha512Hash: () => Hash,
  password: string,
  salt: string,
  rounds: number,
): Generator<void, string, void> {
  const DIGEST = 64;
  const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  const sha512 = (...parts: Buffer[]): Buffer => {
    const hash = sha512Hash();
    for (const part of parts) hash.update(part);
    return hash.digest();
  };
  // `length` bytes of `digest` repeated (steps 16 and 20 of the specification).
  const stretch = (digest: Buffer, length: number): Buffer => {
    const out = Buffer.alloc(length);
    for (let offset = 0; offset < length; offset += DIGEST) {
      digest.copy(out, offset, 0, Math.min(DIGEST, length - offset));
    }
    return out;
  };
  const p = Buffer.from(password, 'utf8');
  const s = Buffer.from(salt.slice(0, 16), 'utf8');
  const b = sha512(p, s, p);
  const a = sha512Hash().update(p).update(s);
  let count = p.length;
  for (; count > DIGEST; count -= DIGEST) a.update(b);
  a.update(b.subarray(0, count));
  for (count = p.length; count > 0; count >>>= 1) a.update(count & 1 ? b : p);
  let c = a.digest();

  const dp = sha512Hash();
  for (let i = 0; i < p.length; i++) dp.update(p);
  const pBytes = stretch(dp.digest(), p.length);
  const ds = sha512Hash();
  for (let i = 0; i < 16 + c[0]!; i++) ds.update(s);
  const sBytes = stretch(ds.digest(), s.length);

  for (let round = 0; round < rounds; round++) {
    const h = sha512Hash();
    h.update(round & 1 ? pBytes : c);
    if (round % 3 !== 0) h.update(sBytes);
    if (round % 7 !== 0) h.update(pBytes);
    h.update(round & 1 ? c : pBytes);
    c = h.digest();
    if ((round + 1) % 20_000 === 0) yield;
  }

  // The final permutation of the 64 digest bytes into 86 characters of crypt's base64.
  let out = '';
  const put = (b2: number, b1: number, b0: number, chars: number): void => {
    let word = (b2 << 16) | (b1 << 8) | b0;
    for (let i = 0; i < chars; i++) {
      out += ITOA64[word & 0x3f];
      word >>>= 6;
    }
  };
  for (let i = 0; i < 21; i++) {
    const triple = [c[i]!, c[i + 21]!, c[i + 42]!];
    const shift = i % 3;
    put(triple[shift]!, triple[(shift + 1) % 3]!, triple[(shift + 2) % 3]!, 4);
  }
  put(0, 0, c[63]!, 2);
  return out;
}

/** The 86-character checksum, yielding to the event loop between slices of rounds. */
export async function sha512CryptChecksum(password: string, setting: Sha512CryptSetting): Promise<string> {
  const steps = sha512CryptSteps(() => createHash('sha512'), password, setting.salt, setting.rounds);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** The full `$6$` hash, as glibc's `crypt(password, "$6$[rounds=N$]salt$")` writes it. */
export async function sha512Crypt(password: string, setting: Sha512CryptSetting): Promise<string> {
  const rounds = setting.explicitRounds ? `rounds=${setting.rounds}$` : '';
  return `$6$${rounds}${setting.salt.slice(0, MAX_SALT)}$${await sha512CryptChecksum(password, setting)}`;
}

/** Parses a `$6$` hash; null when it is not one, or its parameters are out of range. */
export function parseSha512Crypt(stored: string): (Sha512CryptSetting & { readonly checksum: string }) | null {
  const match = SHA512_CRYPT.exec(stored);
  if (!match) return null;
  const rounds = match[1] === undefined ? DEFAULT_ROUNDS : Number(match[1]);
  if (rounds < MIN_ROUNDS || rounds > MAX_ROUNDS) return null;
  return { salt: match[2]!, rounds, explicitRounds: match[1] !== undefined, checksum: match[3]! };
}

/**
 * Checks a password against a passlib/glibc `sha512_crypt` hash; false for anything else. The
 * final comparison is constant-time.
 */
export async function verifySha512Crypt(password: string, stored: string): Promise<boolean> {
  const parsed = parseSha512Crypt(stored);
  if (parsed === null) return false;
  const actual = Buffer.from(await sha512CryptChecksum(password, parsed), 'latin1');
  const expected = Buffer.from(parsed.checksum, 'latin1');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
