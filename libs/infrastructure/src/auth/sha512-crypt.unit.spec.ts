import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password-hasher.js';
import { parseSha512Crypt, sha512Crypt, verifySha512Crypt } from './sha512-crypt.js';

/*
 * Vectors made on Debian 12 with glibc/libxcrypt through Python 3.11's crypt module
 * (`crypt.crypt(password, setting)`); the two "Hello world!" ones are also in Drepper's spec.
 */
const VECTORS: readonly { readonly password: string; readonly hash: string }[] = [
  {
    password: 'secret',
    hash: '$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1',
  },
  {
    password: 'secret',
    hash: '$6$rounds=5000$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1',
  },
  {
    password: 'Hello world!',
    hash: '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
  },
  {
    password: 'Hello world!',
    hash: '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.',
  },
  {
    password: 'a'.repeat(64),
    hash: '$6$rounds=1000$sixtyfour$Q9/D/defueexh8iV0KslylajYwXIGDHD6NoezvE5nI5g3tRbKVa9jiwyutyyOipXZAXFIlLsfe7s.HbvZU2Tq0',
  },
  {
    password: 'b'.repeat(65),
    hash: '$6$rounds=1000$sixtyfive$AC8FVo.XtXZDigBj5bQmCSdjSqQ0jWhatMHkOLhITW1AETXnAH07CodRisMRTZtYmfct2SsmY6W5qI8qhH/kv/',
  },
  {
    password: 'c'.repeat(128),
    hash: '$6$rounds=1000$onetwentyeight$Cnmu3cqFV6llbFivn2nRCd28VkMDLc0kOm2CZWaHQ63zqFnALiI2ttt2HPkoYipQD7J4JY3Uc7SV.oL2BJbb00',
  },
  {
    password: 'pässwörd ünïcode',
    hash: '$6$rounds=2000$UniCode./09AZaz$woKP7fi58jJ.Kx5pwnTgGFOJihmZ9sPAaJkLskS7V0w0rSXa5mI3zuMlTtLTkjIdREsrix/9P2D9/jlNOmnqK0',
  },
  {
    password: '',
    hash: '$6$rounds=1000$empty$mD/mfMVeNHBUgTII19Wa60uGXYFiKQekh3g31uXM.1DkGrKMw1ICxo7N9UEq9xthpeZV2NXWk/C7RFot9C.JR.',
  },
];

/** passlib's default for DLRN's users: 656,000 rounds. */
const PASSLIB_DEFAULT = {
  password: 'dlrn-password',
  hash: '$6$rounds=656000$Ab3Cd4Ef5Gh6Ij7K$8G3JnVloOqZRRpMrER/RNG2VoeL8qCkR2v62g3pW/u4mQYJzIAxklJ1zlclr/xHOSQhthqW5sCqe38OrEFi76.',
};

describe('sha512_crypt ($6$) as glibc computes it', () => {
  it.each(VECTORS)('recomputes $hash', async ({ password, hash }) => {
    const setting = parseSha512Crypt(hash)!;
    expect(await sha512Crypt(password, setting)).toBe(hash);
  });

  it.each(VECTORS)('verifies the right password and refuses a wrong one for $hash', async ({ password, hash }) => {
    expect(await verifySha512Crypt(password, hash)).toBe(true);
    expect(await verifySha512Crypt(`${password}x`, hash)).toBe(false);
  });

  it("verifies a hash with passlib's 656,000 rounds", async () => {
    expect(await verifyPassword(PASSLIB_DEFAULT.password, PASSLIB_DEFAULT.hash)).toBe(true);
  });
});

describe('when the stored hash is not a valid $6$ hash', () => {
  it.each([
    ['rounds below 1000 (libxcrypt refuses them)', '$6$rounds=100$clamped$' + 'A'.repeat(86)],
    ['rounds with a leading zero', '$6$rounds=05000$saltsalt$' + 'A'.repeat(86)],
    ['a salt over 16 characters', '$6$saltstringsaltstring$' + 'A'.repeat(86)],
    ['a short checksum', '$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gR'],
    ['a checksum outside the alphabet', '$6$saltsalt$' + '+'.repeat(86)],
    ['another scheme ($5$)', '$5$saltsalt$' + 'A'.repeat(43)],
    ['an empty string', ''],
  ])('refuses %s', async (_what, stored) => {
    expect(parseSha512Crypt(stored)).toBeNull();
    expect(await verifyPassword('secret', stored)).toBe(false);
  });
});

describe('verifyPassword', () => {
  it('accepts our own scrypt hashes as before', async () => {
    const stored = await hashPassword('s3cret');
    expect(await verifyPassword('s3cret', stored)).toBe(true);
    expect(await verifyPassword('s3cret!', stored)).toBe(false);
  });

  it("accepts DLRN's hashes without rounds= (5000 rounds implied)", async () => {
    expect(await verifyPassword('secret', VECTORS[0]!.hash)).toBe(true);
  });
});
