import { describe, expect, it } from 'vitest';
import { buildStreamId, commitRef, packageName } from './commit-ref.js';
import { formatNvr, nvrOfArtifacts, parseNvr, parseRpmFileName } from './nvr.js';
import { releaseDate, releaseNumbering, releaseString, rpmVersion, upstreamVersionFromGit } from './release.js';
import { findTransientError } from './transient-errors.js';

const sha = '0689564c1a2b3d4e5f60718293a4b5c6d7e8f901';

describe('release strings', () => {
  it('formats dt_build as YYYYmmddHHMMSS in UTC', () => {
    expect(releaseDate(1673347725)).toBe('20230110104845');
  });

  it.each([
    ['0.date.hash', '0.20230110104845.0689564'],
    ['0.1.date.hash', '0.1.20230110104845.0689564'],
    ['minor.date.hash', '2.20230110104845.0689564'],
  ] as const)('numbers %s releases as DLRN does', (mode, expected) => {
    expect(releaseString({ numbering: mode, dtBuild: 1673347725, commitHash: sha, minor: '2' })).toBe(expected);
  });

  it('treats an unknown release_numbering as 0.date.hash, as DLRN does', () => {
    expect(releaseNumbering('weird')).toBe('0.date.hash');
    expect(releaseNumbering(undefined)).toBe('0.date.hash');
  });

  it('refuses a release_minor that is not an RPM release part', () => {
    expect(() => releaseString({ numbering: 'minor.date.hash', dtBuild: 0, commitHash: sha, minor: '1 2' })).toThrow(
      'invalid release_minor "1 2": not a valid RPM release part',
    );
  });

  describe('when the release_minor uses every character an RPM release part takes', () => {
    it('keeps it as the prefix', () => {
      expect(releaseString({ numbering: 'minor.date.hash', dtBuild: 0, commitHash: sha, minor: '0aAzZ9._+~' })).toBe(
        '0aAzZ9._+~.19700101000000.0689564',
      );
    });
  });

  describe('when dt_build is the epoch itself', () => {
    it('dates the release 19700101000000', () => {
      expect(releaseDate(0)).toBe('19700101000000');
    });
  });

  describe('when dt_build is not an epoch time', () => {
    it.each([
      [-1, 'invalid dt_build -1: not an epoch time'],
      [-0.5, 'invalid dt_build -0.5: not an epoch time'],
      [Number.NaN, 'invalid dt_build null: not an epoch time'],
      [Number.POSITIVE_INFINITY, 'invalid dt_build null: not an epoch time'],
    ])('refuses %s, naming dt_build', (dtBuild, message) => {
      expect(() => releaseDate(dtBuild)).toThrow(message);
    });
  });
});

describe('RPM versions from upstream versions', () => {
  // Expected values were produced by running DLRN's setversionandrelease in bash.
  it.each([
    ['21.1.1', '21.1.1'],
    ['21.1.1-5-g0689564', '21.1.1'],
    ['1.0.0-d7f1b849', '1.0.0'],
    ['9.0.0-rc1', '9.0.0'],
    ['22.0.0.0rc1', '22.0.0'],
    ['1.0.0.0rc2.dev128', '1.0.0'],
    ['8.0.0.0b2.dev268', '8.0.0'],
    ['1.0.0.0a1', '1.0.0'],
    ['0.19.1.dev25', '0.19.1'],
    ['2015.1.dev1604.g34cf1e3', '2015.1'],
    ['0.10.1.11.ga5f0e3c', '0.10.1.11'],
    ['1.8.0.pre2', '1.8.0'],
    ['1.2', '1.2'],
    ['', '0.0.1'],
    [null, '0.0.1'],
  ])('turns %j into %j', (input, expected) => {
    expect(rpmVersion(input)).toBe(expected);
  });

  it.each([
    ['2.0.0b3', '2.0'],
    ['1.0.dev5.dev6', '1.0.dev5'],
    ['3.0.1a', '0.0.1'],
    ['eb6dbe2', '0.0.1'],
    ['release-candidate', 'release'],
    ['v2.3.0', '0.0.1'],
    ['1.0rc1.0rc2', '1.0rc1'],
    ['1.0b1.0b2', '1.0b1'],
    ['1.0a1.0a2', '1.0a1'],
    ['1.g1.g2', '1.g1'],
    ['1.pre1.pre2', '1.pre1'],
  ])("keeps DLRN's greedy-regex quirks: %j gives %j", (input, expected) => {
    expect(rpmVersion(input)).toBe(expected);
  });

  describe('when a plain version holds the digits 0 and 9', () => {
    it('keeps it as it is', () => {
      expect(rpmVersion('10.9.0')).toBe('10.9.0');
    });
  });
});

describe('upstream versions from git tags', () => {
  it('takes the tag, without a v prefix, when the commit is tagged', () => {
    expect(upstreamVersionFromGit({ lastTag: 'v1.2.0', describe: 'v1.2.0' })).toBe('1.2.0');
  });

  it('bumps the last field when there are commits after the tag, as DLRN does', () => {
    expect(upstreamVersionFromGit({ lastTag: '1.2.0', describe: '1.2.0-2-gabc1234' })).toBe('1.2.1');
    expect(upstreamVersionFromGit({ lastTag: '2024.1', describe: '2024.1-9-gabc1234' })).toBe('2024.2');
    expect(upstreamVersionFromGit({ lastTag: '1.2.0b3', describe: '1.2.0b3-1-gabc1234' })).toBe('1.2.1');
  });

  it('does not bump release candidates with a dash', () => {
    expect(upstreamVersionFromGit({ lastTag: '1.2.0-rc1', describe: '1.2.0-rc1-4-gabc1234' })).toBe('1.2.0-rc1');
  });

  it('prefers a version file, bumped only when it is the last tag', () => {
    expect(upstreamVersionFromGit({ fileVersion: '3.0.0', lastTag: '3.0.0', describe: '3.0.0-1-gabc' })).toBe('3.0.1');
    expect(upstreamVersionFromGit({ fileVersion: '4.0.0', lastTag: '3.0.0', describe: '3.0.0-1-gabc' })).toBe('4.0.0');
    expect(upstreamVersionFromGit({ fileVersion: '4.0.0', lastTag: null, describe: null })).toBe('4.0.0');
  });

  it('falls back to 0.0.1 without tags', () => {
    expect(upstreamVersionFromGit({ lastTag: null, describe: null })).toBe('0.0.1');
  });

  describe('when the tag starts with V, r or R', () => {
    it.each(['V1.2.0', 'r1.2.0', 'R1.2.0'])('drops that one letter from %j', (tag) => {
      expect(upstreamVersionFromGit({ lastTag: tag, describe: tag })).toBe('1.2.0');
    });
  });

  describe('when git printed the tags with a trailing newline', () => {
    it('trims them, and does not take the commit for one past its tag', () => {
      expect(upstreamVersionFromGit({ lastTag: 'v1.2.0\n', describe: 'v1.2.0\n' })).toBe('1.2.0');
    });
  });

  describe('when the version file has spaces around its version', () => {
    it('trims them', () => {
      expect(upstreamVersionFromGit({ fileVersion: ' 4.0.0\n', lastTag: '3.0.0', describe: '3.0.0-1-gabc' })).toBe(
        '4.0.0',
      );
    });
  });

  describe('when the last field of a bumped tag has several digits', () => {
    it('adds one to the whole number', () => {
      expect(upstreamVersionFromGit({ lastTag: '2.0.19', describe: '2.0.19-3-gabc1234' })).toBe('2.0.20');
    });
  });

  describe('when the last field of a bumped tag starts with no digit', () => {
    it('replaces it with 1, as awk reads it as 0', () => {
      expect(upstreamVersionFromGit({ lastTag: '1.2.rc1', describe: '1.2.rc1-3-gabc1234' })).toBe('1.2.1');
    });
  });

  describe('when the tag is only a v prefix and the commit is past it', () => {
    it('finds no version: 0.0.1, not a bumped empty one', () => {
      expect(upstreamVersionFromGit({ lastTag: 'v', describe: 'v-1-gabc1234' })).toBe('0.0.1');
    });
  });
});

describe('NVRs', () => {
  it('splits a name with dashes', () => {
    expect(parseNvr('openstack-ironic-21.1.1-0.20230110104845.0689564.el9')).toEqual({
      name: 'openstack-ironic',
      version: '21.1.1',
      release: '0.20230110104845.0689564.el9',
    });
    expect(formatNvr({ name: 'a-b', version: '1', release: '2' })).toBe('a-b-1-2');
  });

  it('parses RPM file names with their arch', () => {
    expect(parseRpmFileName('python-nova-1.0-0.1.el9.noarch.rpm')).toMatchObject({
      name: 'python-nova',
      arch: 'noarch',
    });
    expect(() => parseRpmFileName('readme.txt')).toThrow(/RPM file name/);
  });

  it("takes the build's NVR from the first source RPM artifact, wherever it is in the list", () => {
    expect(nvrOfArtifacts(['repos/a/b/c/nova-1.0-1.noarch.rpm', 'repos/a/b/c/nova-1.0-1.src.rpm'])).toBe('nova-1.0-1');
    expect(nvrOfArtifacts(['repos/a/b/c/nova-1.0-1.noarch.rpm'])).toBeNull();
    expect(nvrOfArtifacts(['nova-1.0-1.src.rpm', 'y/z-2-2.src.rpm'])).toBe('nova-1.0-1');
  });

  it('refuses an NVR without three parts or with a trailing dash, saying what was expected', () => {
    expect(() => parseNvr('nova-1.0')).toThrow('invalid NVR "nova-1.0": expected <name>-<version>-<release>');
    expect(() => parseNvr('nova-1.0-1-')).toThrow('expected <name>-<version>-<release>');
  });

  it('refuses a file name that does not end in .<arch>.rpm, saying what was expected', () => {
    expect(() => parseRpmFileName('nova-1.0-1.noarch.rpm.sig')).toThrow(
      'invalid RPM file name "nova-1.0-1.noarch.rpm.sig": expected <nvr>.<arch>.rpm',
    );
    expect(parseRpmFileName('nova-1.0-1.el9.src.rpm').arch).toBe('src');
  });
});

describe('transient errors', () => {
  it('finds the first known transient error line, trimmed', () => {
    const log = "Building...\n  Error: Failed to synchronize cache for repo 'delorean-deps'  \nmore";
    expect(findTransientError(log)).toBe("Error: Failed to synchronize cache for repo 'delorean-deps'");
  });

  it("keeps DLRN's unescaped dots in the distroinfo alternative", () => {
    expect(
      findTransientError('distroinfoXexception.CommandFailed: Command failed with return code 128: git'),
    ).not.toBeNull();
  });

  it('returns null for an ordinary build failure', () => {
    expect(findTransientError('error: Bad exit status from /var/tmp/rpm-tmp.1 (%build)')).toBeNull();
  });
});

describe('commit references', () => {
  it("accepts git SHAs, the local driver's name-version and dev", () => {
    expect(commitRef(sha, 'dev').distroHash).toBe('dev');
    expect(commitRef('python-foo-1.2.3', sha).commitHash).toBe('python-foo-1.2.3');
    expect(commitRef(sha, sha, 'None').extendedHash).toBeNull();
  });

  it.each(['../etc', 'a/b', '', 'a b', 'x'.repeat(65)])('refuses %j as a commit hash', (bad) => {
    expect(() => commitRef(bad, sha)).toThrow(/invalid commit_hash/);
  });

  it('refuses package names that are not plain directory names', () => {
    expect(() => packageName('../nova')).toThrow(/package name/);
    expect(packageName('openstack-nova')).toBe('openstack-nova');
  });

  it('names the build stream after the package and the full triple', () => {
    expect(buildStreamId('openstack-nova', commitRef('abc', 'def', 'ghi'))).toBe('build-openstack-nova@abc_def_ghi');
    expect(buildStreamId('openstack-nova', commitRef('abc', 'def'))).toBe('build-openstack-nova@abc_def');
  });
});
