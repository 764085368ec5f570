import { describe, expect, it } from 'vitest';
import type { PackageInfo } from '../package/package-info.js';
import { branchOfRef, normalizeGitUrl, packagesMovedBy, repositoryMatcher } from './push-match.js';
import { isDeliveryId, isForge, webhookDeliveryStreamId } from './webhook.events.js';

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

describe('normalizeGitUrl at its edges', () => {
  it('takes a URL of 2048 characters and refuses one longer', () => {
    const url = (length: number) => `https://example.org/${'a'.repeat(length - 'https://example.org/'.length)}`;
    expect(normalizeGitUrl(url(2048))).toBe(`example.org/${'a'.repeat(2048 - 20)}`);
    expect(normalizeGitUrl(url(2049))).toBeNull();
  });

  it('trims the spaces around a URL but refuses one inside it', () => {
    expect(normalizeGitUrl('  https://github.com/openstack/nova \n')).toBe('github.com/openstack/nova');
    expect(normalizeGitUrl('https://github.com/open\tstack/nova')).toBeNull();
  });

  it('takes a scheme in any case, and refuses schemes git does not fetch over', () => {
    expect(normalizeGitUrl('HTTPS://github.com/openstack/nova')).toBe('github.com/openstack/nova');
    expect(normalizeGitUrl('SSH+GIT://git@github.com/openstack/nova')).toBe('github.com/openstack/nova');
    for (const url of ['svn://example.org/nova', 'mailto://example.org/nova', 'https+x://example.org/nova']) {
      expect(normalizeGitUrl(url)).toBeNull();
    }
  });

  it('drops a port without digits, a query and a fragment, and a .git before trailing slashes', () => {
    expect(normalizeGitUrl('https://github.com:/openstack/nova')).toBe('github.com/openstack/nova');
    expect(normalizeGitUrl('https://github.com/openstack/nova.git?ref=x#readme')).toBe('github.com/openstack/nova');
    expect(normalizeGitUrl('https://github.com/openstack/nova.git//')).toBe('github.com/openstack/nova');
    expect(normalizeGitUrl('https://github.com/openstack/nova.git.git')).toBe('github.com/openstack/nova.git');
  });

  it('refuses an ssh URL without a host, and a path that is only slashes or a query', () => {
    expect(normalizeGitUrl('ssh://git@/openstack/nova')).toBeNull();
    expect(normalizeGitUrl('https://github.com///')).toBeNull();
    expect(normalizeGitUrl('https://github.com/?x=1')).toBeNull();
    expect(normalizeGitUrl('/')).toBeNull();
  });

  it('reads scp-like URLs with and without a user, and refuses a slash before the colon', () => {
    expect(normalizeGitUrl('git@GitHub.com:openstack/nova')).toBe('github.com/openstack/nova');
    expect(normalizeGitUrl('gerrit:openstack/nova')).toBe('gerrit/openstack/nova');
    expect(normalizeGitUrl('./dir:openstack/nova')).toBeNull();
  });

  it('reads an IPv6 host with its port, and a non-numeric port as part of the host', () => {
    expect(normalizeGitUrl('ssh://git@[::1]:2222/srv/nova.git')).toBe('[::1]/srv/nova');
    expect(normalizeGitUrl('ssh://git@[::1]/srv/nova')).toBe('[::1]/srv/nova');
    expect(normalizeGitUrl('ssh://host:x1/nova')).toBe('host:x1/nova');
  });

  it('drops .git only at the end, and a .git directory of a local repository', () => {
    expect(normalizeGitUrl('https://github.com/org/org.github.io')).toBe('github.com/org/org.github.io');
    expect(normalizeGitUrl('file:///srv/git/nova/.git')).toBe('/srv/git/nova');
    expect(normalizeGitUrl('/srv/git/nova/.git/')).toBe('/srv/git/nova');
    expect(normalizeGitUrl('https://host/.git')).toBeNull();
  });

  it('refuses a URL whose scheme is none (a leading digit), and a host alone', () => {
    expect(normalizeGitUrl('9git://github.com/openstack/nova')).toBeNull();
    expect(normalizeGitUrl('https://github.com')).toBeNull();
    expect(normalizeGitUrl('https://github.com?x=/a')).toBeNull();
  });

  it('refuses an scp-like URL with a user and no host, as the ssh:// form', () => {
    expect(normalizeGitUrl('git@:openstack/nova')).toBeNull();
    expect(normalizeGitUrl('a@b@github.com:openstack/nova')).toBeNull();
  });
});

describe('branchOfRef', () => {
  it('reads no branch from an empty ref or refs/heads/ alone', () => {
    expect(branchOfRef('')).toBeNull();
    expect(branchOfRef('refs/heads/')).toBeNull();
    expect(branchOfRef('refs/heads/refs/x')).toBe('refs/x');
  });

  it('reads branches from full and short refs, and no branch from tags or changes', () => {
    expect(branchOfRef('refs/heads/stable/2024.1')).toBe('stable/2024.1');
    expect(branchOfRef('master')).toBe('master');
    expect(branchOfRef('refs/tags/1.0.0')).toBeNull();
    expect(branchOfRef('refs/changes/45/12345/2')).toBeNull();
  });
});

describe('repositoryMatcher', () => {
  it('matches any spelling of a named URL, and nothing that is no URL', () => {
    const matches = repositoryMatcher(['https://GitHub.com/openstack/nova.git', 'not a url'], undefined);
    expect(matches('git@github.com:openstack/nova')).toBe(true);
    expect(matches('https://github.com/openstack/neutron')).toBe(false);
    for (const other of ['not a url', '', 42, undefined, ['https://github.com/openstack/nova']])
      expect(matches(other)).toBe(false);
    expect(matches('https://github.com/undefined')).toBe(false);
  });

  it('matches a Gerrit project on a segment boundary, with or without leading slashes', () => {
    for (const project of ['openstack/nova', '/openstack/nova', '//openstack//nova/']) {
      const matches = repositoryMatcher([], project);
      expect(matches('https://review.opendev.org/openstack/nova'), project).toBe(true);
      expect(matches('https://review.opendev.org/x/openstack/nova.git'), project).toBe(true);
      expect(matches('https://review.opendev.org/openstack/supernova'), project).toBe(false);
      expect(matches('https://review.opendev.org/openstack/nova/tests'), project).toBe(false);
    }
  });

  it('matches nothing by project when the project names no path', () => {
    for (const project of ['', '/', ' '])
      expect(repositoryMatcher([], project)('https://review.opendev.org/openstack/nova'), project).toBe(false);
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

  it('names every package moved, sorted, once each, when one push moves both their branches', () => {
    const both = [
      pkg('zaqar', { upstream: 'https://github.com/openstack/common', 'distro-branch': 'master' }),
      pkg('aodh', { upstream: 'https://github.com/openstack/common' }),
      pkg('self', {
        upstream: 'https://github.com/openstack/common',
        'master-distgit': 'https://github.com/openstack/common',
        'distro-branch': 'master',
      }),
    ];
    expect(
      packagesMovedBy(both, { repositoryUrls: ['https://github.com/openstack/common'], ref: 'master' }, defaults),
    ).toEqual(['aodh', 'self', 'zaqar']);
  });

  it('skips a package without a dist-git or with an unreadable upstream, and pushes naming no URL', () => {
    const odd = [
      pkg('nodistgit', { 'master-distgit': undefined }),
      pkg('bad', { upstream: 'not a url', 'master-distgit': 'neither' }),
    ];
    expect(
      packagesMovedBy(
        odd,
        { repositoryUrls: ['not a url', 'https://github.com/rdo-packages/x'], ref: 'refs/heads/rpm-master' },
        defaults,
      ),
    ).toEqual([]);
    expect(
      packagesMovedBy(odd, { repositoryUrls: ['https://github.com/openstack/nodistgit'], ref: 'master' }, defaults),
    ).toEqual(['nodistgit']);
  });

  it('matches a Gerrit project given with a leading slash, and no package for an empty project', () => {
    expect(
      packagesMovedBy(packages, { repositoryUrls: [], project: '/openstack/nova', ref: 'master' }, defaults),
    ).toEqual(['nova']);
    expect(packagesMovedBy(packages, { repositoryUrls: [], project: '', ref: 'master' }, defaults)).toEqual([]);
    expect(packagesMovedBy(packages, { repositoryUrls: [], project: '//', ref: 'master' }, defaults)).toEqual([]);
  });

  it("follows a package's own distro-branch rather than [DEFAULT] distro", () => {
    const own = [pkg('nova', { 'distro-branch': 'rpm-custom' })];
    const push = (ref: string) => ({ repositoryUrls: ['https://github.com/rdo-packages/nova-distgit'], ref });
    expect(packagesMovedBy(own, push('refs/heads/rpm-master'), defaults)).toEqual([]);
    expect(packagesMovedBy(own, push('refs/heads/rpm-custom'), defaults)).toEqual(['nova']);
  });

  it('moves no package for a tag even when no branch is followed at all', () => {
    const none = { source: null, distro: null };
    const moved = packagesMovedBy(
      packages,
      {
        repositoryUrls: ['https://github.com/openstack/nova', 'https://github.com/rdo-packages/nova-distgit'],
        ref: 'refs/tags/1.0',
      },
      none,
    );
    expect(moved).toEqual([]);
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

describe('webhook deliveries', () => {
  it('know the four forges and no other', () => {
    for (const forge of ['github', 'gitlab', 'gitea', 'gerrit']) expect(isForge(forge)).toBe(true);
    for (const other of ['GitHub', 'bitbucket', '']) expect(isForge(other)).toBe(false);
  });

  it('are recorded in one stream per forge and delivery id', () => {
    expect(webhookDeliveryStreamId('gitea', '72d3162e-cc78-11e3-81ab-4c9367dc0958')).toBe(
      'webhookdelivery-gitea_72d3162e-cc78-11e3-81ab-4c9367dc0958',
    );
  });

  it('take ids of 1 to 100 safe characters starting with a letter or digit', () => {
    expect(isDeliveryId('a')).toBe(true);
    expect(isDeliveryId(`a${'b._:-'.repeat(19)}1234`)).toBe(true);
    expect(isDeliveryId('a'.repeat(101))).toBe(false);
    for (const id of ['', '-a', '.a', 'a/b', 'a b', 'a\nb', 'ä']) expect(isDeliveryId(id)).toBe(false);
  });
});
