import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDlrn, type CliRun } from '../support/cli.js';
import { builtRepos, commitAll, git, write } from '../support/package-sources.fixtures.js';

/*
 * Python (pbr) and gem upstreams built through the CLI with the rpmbuild driver: the tarball is
 * what `setup.py sdist` or `gem build` makes, named and versioned as DLRN's build_srpm.sh does.
 */
const PBR_FILES = {
  'setup.py': 'import setuptools\nsetuptools.setup(setup_requires=["pbr"], pbr=True)\n',
  'setup.cfg':
    '[metadata]\nname = pbr-greeting\nsummary = s\nauthor = A\nauthor_email = a@example.org\n\n[files]\npackages = greeting\n',
  'greeting/__init__.py': '',
};
const GEM_FILES = {
  'hello-gem.gemspec':
    'Gem::Specification.new do |s|\n  s.name = "hello-gem"\n  s.version = "0.3.1"\n  s.summary = "s"\n  s.authors = ["A"]\n  s.files = ["lib/hello.rb"]\n  s.license = "MIT"\nend\n',
  'lib/hello.rb': 'puts 1\n',
};

function spec(name: string, source0: string, prep: string, install: string): string {
  return `Name: ${name}
Version: XXX
Release: XXX
Summary: recipe test package
License: MIT
BuildArch: noarch
Source0: ${source0}

%description
d

%prep
${prep}

%build

%install
mkdir -p %{buildroot}/usr/share/${name}
${install}

%files
/usr/share/${name}
`;
}

describe('python (pbr) and gem upstreams in a build pass (rpmbuild driver)', () => {
  let root: string;
  let siteDir: string;
  let run: CliRun;

  function createPackage(project: string, upstreamFiles: Record<string, string>, specText: string, tagged: boolean) {
    const upstream = join(root, 'git', project);
    const distgit = join(root, 'git', `${project}-distgit`);
    for (const dir of [upstream, distgit]) {
      mkdirSync(dir, { recursive: true });
      git(dir, '-c', 'init.defaultBranch=master', 'init', '-q');
    }
    write(upstream, upstreamFiles);
    commitAll(upstream, 'first');
    if (tagged) git(upstream, 'tag', '1.2.0');
    write(upstream, { 'NEWS.txt': 'second\n' });
    commitAll(upstream, 'second');
    git(distgit, 'checkout', '-q', '-b', 'rpm-master');
    write(distgit, { [`${project}.spec`]: specText });
    commitAll(distgit, 'packaging');
  }

  /** The repo of the package's own build (a repo also links the other packages' RPMs). */
  const repoOf = (prefix: string) => {
    const head = git(join(root, 'git', prefix.slice(0, -1)), 'rev-parse', 'HEAD');
    const repo = builtRepos(join(siteDir, 'data')).find((r) => r.dir.includes(`/${head}_`))!;
    const dir = join(siteDir, 'data', 'repos', repo.dir);
    const file = (suffix: string) =>
      join(
        dir,
        repo.rpms.find((f) => f.startsWith(prefix) && f.endsWith(suffix))!,
      );
    return { dir, srpm: file('.src.rpm'), rpm: file('.noarch.rpm') };
  };
  const query = (path: string, format: string) =>
    execFileSync('rpm', ['-qp', '--qf', format, path], { encoding: 'utf8' });
  /** The release without %{dist}: what DLRN puts in the tarball's name. */
  const releaseOf = (srpm: string) => query(srpm, '%{RELEASE}').replace(/\.el\d+$/, '');
  const list = (path: string) => execFileSync('rpm', ['-qpl', path], { encoding: 'utf8' }).split('\n');

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'dlrn-recipe-tarballs-'));
    createPackage(
      'python-pbr-greeting',
      PBR_FILES,
      spec(
        'python-pbr-greeting',
        'pbr-greeting.tar.gz',
        '%setup -q -n pbr-greeting-%{upstream_version}',
        'cp -a . %{buildroot}/usr/share/python-pbr-greeting/',
      ),
      true,
    );
    createPackage(
      'rubygem-hello-gem',
      GEM_FILES,
      spec('rubygem-hello-gem', 'hello-gem.gem', '', 'cp %{SOURCE0} %{buildroot}/usr/share/rubygem-hello-gem/'),
      false,
    );
    siteDir = join(root, 'site');
    write(siteDir, {
      'projects.ini': `[DEFAULT]
datadir=./data
baseurl=file:///unused
distro=rpm-master
source=master
target=centos9
reponame=delorean
build_driver=rpmbuild
pkginfo_driver=rdoinfo
[rdoinfo_driver]
info_files=rdo.yml
`,
      'rdoinfo/rdo.yml': `releases:
- name: demo
  branch: rpm-master
  repos:
  - name: el9
package-default:
  name: "%(project)s"
  maintainers:
  - packager@example.org
packages:
${['python-pbr-greeting', 'rubygem-hello-gem']
  .map(
    (p) =>
      `- project: ${p}\n  upstream: file://${join(root, 'git', p)}\n  master-distgit: file://${join(root, 'git', `${p}-distgit`)}`,
  )
  .join('\n')}
`,
    });
    run = await runDlrn([
      '--config-file',
      join(siteDir, 'projects.ini'),
      '--info-repo',
      join(siteDir, 'rdoinfo'),
      '--head-only',
    ]);
  }, 180_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('builds both', () => {
    expect(run.stdout).toMatch(/\] python-pbr-greeting \S+ SUCCESS/);
    expect(run.stdout).toMatch(/\] rubygem-hello-gem \S+ SUCCESS/);
    expect(run.code).toBe(0);
  });

  describe('the pbr upstream', () => {
    it("has pbr's version: Version 1.2.1, %{upstream_version} 1.2.1.dev1", () => {
      const { srpm } = repoOf('python-pbr-greeting-');
      expect(query(srpm, '%{VERSION}')).toBe('1.2.1');
      const log = readFileSync(join(repoOf('python-pbr-greeting-').dir, 'rpmbuild.log'), 'utf8');
      expect(log).toContain('%define upstream_version 1.2.1.dev1');
    });

    it('carries the sdist (ChangeLog and PKG-INFO, which git archive has not), named <sdist>-<release>.tar.gz', () => {
      const { srpm, rpm } = repoOf('python-pbr-greeting-');
      const release = releaseOf(srpm);
      expect(list(srpm)).toContain(`pbr-greeting-1.2.1.dev1-${release}.tar.gz`);
      const files = list(rpm);
      expect(files).toContain('/usr/share/python-pbr-greeting/ChangeLog');
      expect(files).toContain('/usr/share/python-pbr-greeting/PKG-INFO');
      expect(files).toContain('/usr/share/python-pbr-greeting/NEWS.txt');
    });
  });

  describe('the gem upstream', () => {
    it('has the gemspec version and carries the built .gem, named <gem>-<release>.gem', () => {
      const { srpm, rpm } = repoOf('rubygem-hello-gem-');
      expect(query(srpm, '%{VERSION}')).toBe('0.3.1');
      const release = releaseOf(srpm);
      expect(list(srpm)).toContain(`hello-gem-0.3.1-${release}.gem`);
      expect(list(rpm)).toContain(`/usr/share/rubygem-hello-gem/hello-gem-0.3.1-${release}.gem`);
    });
  });
});
