import { describe, expect, it } from 'vitest';
import type { PackageInfo } from '../package/package-info.js';
import { branchOfRef, normalizeGitUrl, packagesMovedBy } from './push-match.js';

const pkg = (name: string, fields: Partial<PackageInfo> = {}): PackageInfo => ({
  name,
  project: name,
  upstream: `https://github.com/openstack/${name}`,
  'master-distgit': `https://github.com/rdo-packages/${name}-distgit.git`,
  maintainers: [],
  ...fields,
});

const defaults = { source: 'master', distro: 'rpm-master' };

describe('normalizeGitUrl', () => {
  it.each([
    'https://github.com/openstack/nova',
    'https://github.com/openstack/nova.git',
    'https://github.com/openstack/nova/',
    'https://GitHub.COM/openstack/nova.git/',
    'http://github.com/openstack/nova',
    'git://github.com/openstack/nova.git',
    'ssh://git@github.com/openstack/nova.git',
    'ssh://git@github.com:22/openstack/nova',
    'git+ssh://git@github.com/openstack//nova',
    'git@github.com:openstack/nova.git',
    'github.com:openstack/nova',
    'https://user:token@github.com/openstack/nova.git',
  ])('gives one key for every spelling of a repository: %s', (url) => {
    expect(normalizeGitUrl(url)).toBe('github.com/openstack/nova');
  });

  it('keeps the case of the path (GitLab and Gitea paths are case-sensitive)', () => {
    expect(normalizeGitUrl('https://gitlab.com/Org/Repo')).toBe('gitlab.com/Org/Repo');
  });

  it('gives local repositories their path', () => {
    expect(normalizeGitUrl('file:///srv/git/nova.git')).toBe('/srv/git/nova');
    expect(normalizeGitUrl('/srv/git/nova/')).toBe('/srv/git/nova');
  });

  it.each(['', 'nova', 'ftp://example.org/nova', 'https://', 'https://github.com/', 'https://a b/c'])(
    'refuses what is no repository URL: %j',
    (url) => {
      expect(normalizeGitUrl(url)).toBeNull();
    },
  );
});

describe('branchOfRef', () => {
  it('reads branches from full and short refs, and no branch from tags or changes', () => {
    expect(branchOfRef('refs/heads/stable/2024.1')).toBe('stable/2024.1');
    expect(branchOfRef('master')).toBe('master');
    expect(branchOfRef('refs/tags/1.0.0')).toBeNull();
    expect(branchOfRef('refs/changes/45/12345/2')).toBeNull();
  });
});

describe('packagesMovedBy', () => {
  const packages = [
    pkg('nova'),
    pkg('glance', { 'source-branch': 'stable/2024.1' }),
    pkg('neutron', { upstream: ['https://opendev.org/openstack/neutron', 'https://github.com/openstack/neutron'] }),
    pkg('novaclient', { upstream: 'https://github.com/openstack/python-novaclient' }),
  ];

  it('when the upstream branch a package follows moves, names the package', () => {
    const moved = packagesMovedBy(
      packages,
      { repositoryUrls: ['git@github.com:openstack/nova.git'], ref: 'refs/heads/master' },
      defaults,
    );
    expect(moved).toEqual(['nova']);
  });

  it('when another branch moves, names nobody', () => {
    const moved = packagesMovedBy(
      packages,
      { repositoryUrls: ['https://github.com/openstack/nova'], ref: 'refs/heads/feature' },
      defaults,
    );
    expect(moved).toEqual([]);
  });

  it("follows a package's own source-branch rather than [DEFAULT] source", () => {
    const push = (ref: string) => ({ repositoryUrls: ['https://github.com/openstack/glance'], ref });
    expect(packagesMovedBy(packages, push('refs/heads/master'), defaults)).toEqual([]);
    expect(packagesMovedBy(packages, push('refs/heads/stable/2024.1'), defaults)).toEqual(['glance']);
  });

  it('matches any of several upstream URLs', () => {
    const moved = packagesMovedBy(
      packages,
      { repositoryUrls: ['https://github.com/openstack/neutron.git'], ref: 'refs/heads/master' },
      defaults,
    );
    expect(moved).toEqual(['neutron']);
  });

  it('when the dist-git branch moves, names the package; the upstream branch name does not count there', () => {
    const distgit = ['https://github.com/rdo-packages/nova-distgit'];
    expect(packagesMovedBy(packages, { repositoryUrls: distgit, ref: 'refs/heads/rpm-master' }, defaults)).toEqual([
      'nova',
    ]);
    expect(packagesMovedBy(packages, { repositoryUrls: distgit, ref: 'refs/heads/master' }, defaults)).toEqual([]);
  });

  it('matches a Gerrit project by the end of the path, on a segment boundary', () => {
    expect(
      packagesMovedBy(packages, { repositoryUrls: [], project: 'openstack/nova', ref: 'master' }, defaults),
    ).toEqual(['nova']);
    expect(packagesMovedBy(packages, { repositoryUrls: [], project: 'nova', ref: 'master' }, defaults)).toEqual([
      'nova',
    ]);
    expect(packagesMovedBy(packages, { repositoryUrls: [], project: 'ova', ref: 'master' }, defaults)).toEqual([]);
  });

  it('moves no package for a tag', () => {
    const moved = packagesMovedBy(
      packages,
      { repositoryUrls: ['https://github.com/openstack/nova'], ref: 'refs/tags/master' },
      defaults,
    );
    expect(moved).toEqual([]);
  });
});
