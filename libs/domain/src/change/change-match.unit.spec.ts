import { describe, expect, it } from 'vitest';
import type { PackageInfo } from '../package/package-info.js';
import { changeFetchRef, packagesChangedBy } from './change-match.js';

const pkg = (name: string, fields: Partial<PackageInfo> = {}): PackageInfo =>
  ({
    name,
    project: name,
    upstream: `https://github.com/openstack/${name}.git`,
    'master-distgit': `https://review.rdoproject.org/r/openstack/${name}-distgit.git`,
    maintainers: [],
    ...fields,
  }) as PackageInfo;
const DEFAULTS = { source: 'master', distro: 'rpm-master' };

describe('the packages a change concerns', () => {
  describe('when the change targets the source branch of a repository a package follows', () => {
    it("names the package's upstream side with the package's own URL, whatever form the change used", () => {
      const found = packagesChangedBy(
        [pkg('nova'), pkg('glance')],
        { repositoryUrls: ['git@GitHub.com:openstack/nova'], targetBranch: 'refs/heads/master' },
        DEFAULTS,
      );
      expect(found).toEqual([
        { package: 'nova', side: 'upstream', repositoryUrl: 'https://github.com/openstack/nova.git' },
      ]);
    });

    it("takes a short branch name, and the package's own source-branch over the default", () => {
      const packages = [pkg('nova', { 'source-branch': 'stable/2024.1' }), pkg('glance')];
      const target = (branch: string) => ({
        repositoryUrls: ['https://github.com/openstack/nova', 'https://github.com/openstack/glance'],
        targetBranch: branch,
      });
      expect(packagesChangedBy(packages, target('stable/2024.1'), DEFAULTS).map((c) => c.package)).toEqual(['nova']);
      expect(packagesChangedBy(packages, target('master'), DEFAULTS).map((c) => c.package)).toEqual(['glance']);
      expect(packagesChangedBy(packages, target('refs/tags/master'), DEFAULTS)).toEqual([]);
      expect(packagesChangedBy(packages, target('x/refs/heads/master'), DEFAULTS)).toEqual([]);
    });

    it('finds the named upstream among several', () => {
      const several = pkg('nova', { upstream: ['https://git/a/other', 'https://github.com/openstack/nova'] });
      expect(
        packagesChangedBy(
          [several],
          { repositoryUrls: ['https://github.com/openstack/nova.git'], targetBranch: 'master' },
          DEFAULTS,
        ),
      ).toEqual([{ package: 'nova', side: 'upstream', repositoryUrl: 'https://github.com/openstack/nova' }]);
    });
  });

  describe("when the change targets a dist-git's distro branch", () => {
    it('names the dist-git side; the same repository on another branch names nothing', () => {
      const target = (branch: string) => ({
        repositoryUrls: ['https://review.rdoproject.org/r/openstack/nova-distgit'],
        targetBranch: branch,
      });
      expect(packagesChangedBy([pkg('nova')], target('rpm-master'), DEFAULTS)).toEqual([
        {
          package: 'nova',
          side: 'distgit',
          repositoryUrl: 'https://review.rdoproject.org/r/openstack/nova-distgit.git',
        },
      ]);
      expect(packagesChangedBy([pkg('nova')], target('master'), DEFAULTS)).toEqual([]);
    });

    it('names nothing for a package without a dist-git URL', () => {
      const none = pkg('nova', { 'master-distgit': undefined as unknown as string });
      expect(
        packagesChangedBy([none], { repositoryUrls: ['https://x/y'], targetBranch: 'rpm-master' }, DEFAULTS),
      ).toEqual([]);
    });
  });

  describe('when one repository is both sides of packages given out of order', () => {
    it('sorts by package, then side', () => {
      const shared = 'https://git.example.org/shared';
      const both = (name: string) =>
        pkg(name, { upstream: shared, 'master-distgit': shared, 'distro-branch': 'master' });
      const found = packagesChangedBy(
        [both('zeta'), both('alpha')],
        { repositoryUrls: [shared], targetBranch: 'master' },
        DEFAULTS,
      );
      expect(found.map((c) => `${c.package}/${c.side}`)).toEqual([
        'alpha/distgit',
        'alpha/upstream',
        'zeta/distgit',
        'zeta/upstream',
      ]);
    });
  });

  describe('when a Gerrit change names only its project', () => {
    it('matches the packages whose URL ends with the project, leading slashes or not', () => {
      for (const project of ['openstack/nova', '//openstack/nova']) {
        const found = packagesChangedBy(
          [pkg('nova'), pkg('glance')],
          { repositoryUrls: [], project, targetBranch: 'master' },
          DEFAULTS,
        );
        expect(found.map((c) => c.package)).toEqual(['nova']);
      }
    });

    it('matches nothing when neither URLs nor project name a followed repository', () => {
      expect(
        packagesChangedBy([pkg('nova')], { repositoryUrls: ['not a url'], targetBranch: 'master' }, DEFAULTS),
      ).toEqual([]);
      const unreadable = pkg('nova', { upstream: 'not a url' });
      expect(
        packagesChangedBy(
          [unreadable],
          { repositoryUrls: [], project: 'openstack/nova', targetBranch: 'master' },
          DEFAULTS,
        ),
      ).toEqual([]);
    });
  });
});

describe("a change's fetch ref", () => {
  it("is built from the forge's numbers", () => {
    expect(changeFetchRef('github', '42', null)).toBe('refs/pull/42/head');
    expect(changeFetchRef('gitea', '42', null)).toBe('refs/pull/42/head');
    expect(changeFetchRef('gitlab', '5', null)).toBe('refs/merge-requests/5/head');
    expect(changeFetchRef('gerrit', '12345', 3)).toBe('refs/changes/45/12345/3');
    expect(changeFetchRef('gerrit', '5', 1)).toBe('refs/changes/05/5/1');
  });

  it('refuses a Gerrit change without its patch set', () => {
    expect(() => changeFetchRef('gerrit', '5', null)).toThrow('a Gerrit change ref needs its patch set');
  });
});
