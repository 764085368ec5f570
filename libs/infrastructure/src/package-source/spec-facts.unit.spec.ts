import { describe, expect, it } from 'vitest';
import { packagingFolder } from './gitrepo.package-source.js';
import { isPlainVersion, readSpecFacts } from './spec-facts.js';

describe('reading a spec for a package source', () => {
  it('expands the spec’s own macros in Version and URL', () => {
    const facts = readSpecFacts(
      '%global srcname nova\n%global ver 28.0.1\nName: python-%{srcname}\nVersion: %{ver}\nURL: https://opendev.org/openstack/%{srcname}\n',
    );
    expect(facts).toEqual({ version: '28.0.1', url: 'https://opendev.org/openstack/nova' });
  });

  it('answers null for a value using a macro the spec does not define', () => {
    expect(readSpecFacts('Name: x\nVersion: %{upstream_version}\nURL: %{forgeurl}\n')).toEqual({
      version: null,
      url: null,
    });
  });

  it('answers null for a spec without URL', () => {
    expect(readSpecFacts('Name: x\nVersion: 1\n').url).toBeNull();
  });

  it('refuses a spec without Version, as a build would', () => {
    expect(() => readSpecFacts('Name: x\n')).toThrow('no Version: tag');
  });

  it.each([
    ['1.2.3', true],
    ['2023.2~rc1', true],
    ['1.0-1', false],
    ['-x', false],
    ['1..2', false],
    ['1 2', false],
  ])('takes %s as a plain version: %s', (version, plain) => {
    expect(isPlainVersion(version)).toBe(plain);
  });
});

describe('a gitrepo directory entry', () => {
  it.each([
    ['/openstack/', 'openstack'],
    ['openstack', 'openstack'],
    ['a/b', 'a/b'],
    ['/', ''],
  ])('%s is the folder %s of the clone', (entry, folder) => {
    expect(packagingFolder(entry)).toBe(folder);
  });

  it.each(['../etc', 'a/../../b', '..'])('%s leaves the clone: refused', (entry) => {
    expect(packagingFolder(entry)).toBeNull();
  });
});
