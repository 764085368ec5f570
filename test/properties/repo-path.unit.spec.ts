import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { repoHash, shardedRepoDir } from '#domain/repo/repo-path.js';

const hex = (minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength, maxLength });
const sha = hex(40, 40);
/** Every extended-hash length DLRN can meet, each once per run, around the 49-character switch. */
const EXTENDED_LENGTHS = Array.from({ length: 101 }, (_, n) => n);
const component = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.constant('None'),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/),
);
const withoutComponent = (path: string, comp: string | null | undefined) =>
  comp === null || comp === undefined || comp === 'None' ? path : path.slice(`component/${comp}/`.length);

describe('sharded repo directory, for every hash length (properties)', () => {
  it('shards by the commit: <c[0:2]>/<c[2:4]>/<commit>, below component/<c>/ unless the component is absent or None', () => {
    fc.assert(
      fc.property(hex(4, 64), hex(0, 64), component, (commitHash, distroHash, comp) => {
        const path = shardedRepoDir({ commitHash, distroHash, extendedHash: null, component: comp });
        const named = comp !== null && comp !== undefined && comp !== 'None';
        expect(path.startsWith(`component/${comp}/`)).toBe(named);
        const [first, second, last, ...rest] = withoutComponent(path, comp).split('/');
        expect(rest).toEqual([]);
        expect(first).toBe(commitHash.slice(0, 2));
        expect(second).toBe(commitHash.slice(2, 4));
        expect(last!.startsWith(commitHash)).toBe(true);
      }),
    );
  });

  it('suffixes at most 8 characters of the distro hash, and nothing when there is none', () => {
    fc.assert(
      fc.property(sha, hex(0, 64), (commitHash, distroHash) => {
        const last = shardedRepoDir({ commitHash, distroHash, extendedHash: null }).split('/').at(-1)!;
        const suffix = last.slice(commitHash.length);
        if (distroHash === '') expect(suffix).toBe('');
        else expect(suffix).toBe(`_${distroHash.slice(0, Math.min(8, distroHash.length))}`);
        // the API's repo_hash names the same directory, without the extended part
        if (distroHash !== '') expect(last).toBe(repoHash({ commitHash, distroHash }));
      }),
    );
  });

  it('adds 8 characters of an extended hash shorter than 49, else 8 of each of the two joined SHAs', () => {
    fc.assert(
      fc.property(sha, sha, hex(100, 100), (commitHash, distroHash, pool) => {
        const base = shardedRepoDir({ commitHash, distroHash, extendedHash: null });
        for (const length of EXTENDED_LENGTHS) {
          const extendedHash = pool.slice(0, length);
          const suffix = shardedRepoDir({ commitHash, distroHash, extendedHash }).slice(base.length);
          if (length === 0) expect(suffix).toBe('');
          else if (length < 49) expect(suffix).toBe(`_${extendedHash.slice(0, 8)}`);
          else expect(suffix).toBe(`_${extendedHash.slice(0, 8)}_${extendedHash.slice(41, 49)}`);
        }
      }),
    );
  });

  it('names both SHAs of a two-SHA extended hash (<sha1>_<sha2>) by their first 8 characters', () => {
    fc.assert(
      fc.property(sha, sha, sha, sha, (commitHash, distroHash, first, second) => {
        const path = shardedRepoDir({ commitHash, distroHash, extendedHash: `${first}_${second}` });
        expect(path.endsWith(`_${distroHash.slice(0, 8)}_${first.slice(0, 8)}_${second.slice(0, 8)}`)).toBe(true);
      }),
    );
  });
});
