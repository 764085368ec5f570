import { afterAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password-hasher.js';
import { PasswordPool, PasswordPoolBusyError } from './password-pool.js';

/** glibc's crypt("Hello world!", "$6$rounds=10000$saltstringsaltstring"), from Drepper's specification. */
const SHA512_CRYPT = {
  password: 'Hello world!',
  hash: '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.',
};

describe('password threads', () => {
  const pool = new PasswordPool({ threads: 2 });
  afterAll(() => pool.close());

  it('verifies scrypt and $6$ hashes as the main-thread functions do', async () => {
    const stored = await hashPassword('s3cret');
    expect(await pool.verify('s3cret', stored)).toBe(true);
    expect(await pool.verify('s3cret!', stored)).toBe(false);
    expect(await pool.verify(SHA512_CRYPT.password, SHA512_CRYPT.hash)).toBe(true);
    expect(await pool.verify('Hello world', SHA512_CRYPT.hash)).toBe(false);
    expect(await pool.verify('anything', 'plain-text')).toBe(false);
  });

  it('makes scrypt hashes that the main-thread check accepts', async () => {
    const stored = await pool.hash('p4ss');
    expect(stored).toMatch(/^\$scrypt\$N=32768,r=8,p=1\$/);
    expect(await verifyPassword('p4ss', stored)).toBe(true);
  });

  describe('when more checks wait than the queue holds', () => {
    it('refuses the surplus at once and answers the rest', async () => {
      const small = new PasswordPool({ threads: 1, maxQueued: 1 });
      try {
        const stored = await hashPassword('x');
        const checks = [1, 2, 3].map(() => small.verify('x', stored));
        const outcomes = await Promise.allSettled(checks);
        expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
        expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(PasswordPoolBusyError);
      } finally {
        await small.close();
      }
    });
  });
});
