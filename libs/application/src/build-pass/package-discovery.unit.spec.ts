import { describe, expect, it } from 'vitest';
import type { PackageInfo } from '#domain/package/package-info.js';
import { packageDirs, upstreamDir } from './package-discovery.js';

const withUpstream = (upstream: string | string[]): PackageInfo => ({
  name: 'python-foo',
  project: 'foo',
  upstream,
  'master-distgit': 'https://example.org/foo-distgit',
  maintainers: [],
});
const TWO = ['https://example.org/a/foo', 'https://example.org/b/foo-plugins'];

describe("a package's clones under the datadir", () => {
  it('are <datadir>/<name> and <datadir>/<name>_distro, for a valid package name only', () => {
    expect(packageDirs('/data', 'python-foo')).toEqual({
      sourceDir: '/data/python-foo',
      distgitDir: '/data/python-foo_distro',
    });
    expect(() => packageDirs('/data', '../etc')).toThrow();
  });

  describe('with one upstream URL', () => {
    it.each([
      ['a string', 'https://example.org/a/foo'],
      ['a list of one', ['https://example.org/a/foo']],
    ])('given as %s: the upstream clone is <datadir>/<name>', (_, upstream) => {
      expect(upstreamDir('/data', withUpstream(upstream), 'https://example.org/a/foo')).toBe('/data/python-foo');
    });
  });

  describe('with several upstream URLs (DLRN: os.path.split(repo)[1])', () => {
    it('each has its clone under <datadir>/<name>, named by the last part of its URL', () => {
      expect(upstreamDir('/data', withUpstream(TWO), TWO[0]!)).toBe('/data/python-foo/foo');
      expect(upstreamDir('/data', withUpstream(TWO), TWO[1]!)).toBe('/data/python-foo/foo-plugins');
    });

    it('ignores trailing slashes of a URL', () => {
      expect(upstreamDir('/data', withUpstream(TWO), 'https://example.org/b/foo-plugins//')).toBe(
        '/data/python-foo/foo-plugins',
      );
    });

    it('without a URL (a build recorded before URLs were kept): <datadir>/<name>', () => {
      expect(upstreamDir('/data', withUpstream(TWO), null)).toBe('/data/python-foo');
    });

    it.each([
      ['nothing', '///'],
      ['.', 'https://example.org/.'],
      ['..', 'https://example.org/..'],
      ['an option', 'https://example.org/-rf'],
      ['a backslash', 'https://example.org/a\\b'],
    ])('refuses a URL whose last part is %s, naming it', (_, url) => {
      expect(() => upstreamDir('/data', withUpstream(TWO), url)).toThrow(
        `upstream ${url}: its last part cannot name a directory`,
      );
    });
  });
});
