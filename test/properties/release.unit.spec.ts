import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ReleaseNumbering, releaseDate, releaseNumbering, releaseString } from '#domain/build/release.js';

const MODES: readonly ReleaseNumbering[] = ['0.date.hash', '0.1.date.hash', 'minor.date.hash'];
const hex = (minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength, maxLength });
/** Epoch seconds from 1970 to the last second of 9999 (14-digit dates), fractions included. */
const LAST_SECOND = Date.UTC(9999, 11, 31, 23, 59, 59) / 1000;
const dtBuild = fc.oneof(
  fc.integer({ min: 0, max: LAST_SECOND }),
  fc.double({ min: 0, max: LAST_SECOND, noNaN: true }),
);
const rpmReleasePart = fc.stringMatching(/^[0-9A-Za-z._+~]{1,12}$/);
const prefixOf = (mode: ReleaseNumbering, minor: string) =>
  mode === '0.1.date.hash' ? '0.1' : mode === 'minor.date.hash' ? minor : '0';

/** The epoch second a `YYYYmmddHHMMSS` date names, read back in UTC. */
function secondOf(date: string): number {
  const [y, mo, d, h, mi, s] = [0, 4, 6, 8, 10, 12].map((at, i) => Number(date.slice(at, i === 0 ? 4 : at + 2)));
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!) / 1000;
}

describe('release strings, for every numbering mode and hash length (properties)', () => {
  it('writes the build second in UTC as 14 digits that read back to it', () => {
    fc.assert(
      fc.property(dtBuild, (dt) => {
        const date = releaseDate(dt);
        expect(date).toMatch(/^\d{14}$/);
        expect(secondOf(date)).toBe(Math.floor(dt));
      }),
    );
  });

  it('orders dates as their build seconds, as strings (so newer builds sort later)', () => {
    fc.assert(
      fc.property(dtBuild, dtBuild, (a, b) => {
        const [da, db] = [releaseDate(a), releaseDate(b)];
        expect(da < db ? -1 : da > db ? 1 : 0).toBe(Math.sign(Math.floor(a) - Math.floor(b)));
      }),
    );
  });

  it('is <prefix>.<date>.<first 7 of the commit> with 0, 0.1 or the minor as prefix', () => {
    fc.assert(
      fc.property(fc.constantFrom(...MODES), dtBuild, hex(0, 64), rpmReleasePart, (mode, dt, commitHash, minor) => {
        const release = releaseString({ numbering: mode, dtBuild: dt, commitHash, minor });
        expect(release).toBe(`${prefixOf(mode, minor)}.${releaseDate(dt)}.${commitHash.slice(0, 7)}`);
        // a valid RPM Release: no dash, nothing rpm would expand
        expect(release).toMatch(/^[0-9A-Za-z._+~]+$/);
      }),
    );
  });

  it('takes 0 as the minor of minor.date.hash when none is given', () => {
    fc.assert(
      fc.property(dtBuild, hex(7, 40), (dt, commitHash) => {
        expect(releaseString({ numbering: 'minor.date.hash', dtBuild: dt, commitHash })).toBe(
          `0.${releaseDate(dt)}.${commitHash.slice(0, 7)}`,
        );
      }),
    );
  });

  it('refuses a minor with any character RPM does not take in a Release', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((minor) => !/^[0-9A-Za-z._+~]+$/.test(minor)),
        (minor) => {
          expect(() =>
            releaseString({ numbering: 'minor.date.hash', dtBuild: 0, commitHash: 'abcdef0', minor }),
          ).toThrow(/release_minor/);
        },
      ),
    );
  });

  it('reads any release_numbering other than the three modes as 0.date.hash', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom<string | undefined | null>(...MODES, undefined, null), fc.string()),
        (value) => {
          const expected = MODES.includes(value as ReleaseNumbering) ? value : '0.date.hash';
          expect(releaseNumbering(value)).toBe(expected);
        },
      ),
    );
  });
});
