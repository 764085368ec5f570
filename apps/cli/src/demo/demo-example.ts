import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Git with a fixed identity and no user or system configuration, so the demo is reproducible. */
async function git(cwd: string, args: string[], date?: number): Promise<string> {
  const stamp = date === undefined ? undefined : `${date} +0000`;
  const env = {
    ...process.env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'Demo Upstream',
    GIT_AUTHOR_EMAIL: 'upstream@example.org',
    GIT_COMMITTER_NAME: 'Demo Upstream',
    GIT_COMMITTER_EMAIL: 'upstream@example.org',
    ...(stamp ? { GIT_AUTHOR_DATE: stamp, GIT_COMMITTER_DATE: stamp } : {}),
  };
  const { stdout } = await run('git', args, { cwd, env });
  return stdout.trim();
}

async function commit(repo: string, files: Record<string, string>, message: string, date: number): Promise<void> {
  await commitDemoChange(repo, message, date, async () => {
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(repo, path, '..'), { recursive: true });
      await writeFile(join(repo, path), text);
    }
  });
}

/** Commits whatever `change` does in `repo` (deletions included) at `date`, as the demo's upstream. */
export async function commitDemoChange(
  repo: string,
  message: string,
  date: number,
  change: () => unknown,
): Promise<void> {
  await change();
  await git(repo, ['add', '-A']);
  await git(repo, ['commit', '-q', '-m', message], date);
}

async function initRepo(dir: string, branch: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await git(dir, ['init', '-q', '-b', branch]);
  return dir;
}

function spec(name: string, summary: string, build: string, install: string, files: string): string {
  return `Name:           ${name}
Version:        0.0.1
Release:        1%{?dist}
Summary:        ${summary}
License:        Apache-2.0
BuildArch:      noarch
Source0:        ${name}-0.0.1.tar.gz

%description
${summary}. Built by the dlrn-ts demo from an upstream git commit.

%prep
%setup -q

%build
# DLRN_DEMO_BUILD_SECONDS slows the build down (crash tests kill a builder mid-build).
sleep "\${DLRN_DEMO_BUILD_SECONDS:-0}"
${build}

%install
${install}

%files
${files}

%changelog
* Mon Jan 01 2024 Demo Packager <packager@example.org> - 0.0.1-1
- Initial package
`;
}

export interface DemoPackage {
  readonly name: string;
  readonly project: string;
  readonly upstream: string;
  readonly distgit: string;
}

/** One demo package: its upstream's first commit and tag, and the spec its dist-git packages it with. */
interface DemoPackageSource {
  readonly name: string;
  readonly project: string;
  readonly files: Readonly<Record<string, string>>;
  readonly message: string;
  readonly tag: string;
  readonly summary: string;
  /** The spec's %build, %install and %files sections. */
  readonly build: string;
  readonly install: string;
  readonly installed: string;
  /** Seconds after the demo's start at which both first commits are made. */
  readonly after: number;
}

const DEMO_SOURCES: readonly DemoPackageSource[] = [
  {
    name: 'python-greeting',
    project: 'greeting',
    files: { 'greeting.py': 'print("hello")\n', README: 'Greeting\n' },
    message: 'Initial import',
    tag: '1.0.0',
    summary: 'Greets the world',
    build: 'test -f greeting.py',
    install: 'install -D -m 0644 greeting.py %{buildroot}%{_datadir}/greeting/greeting.py',
    installed: '%{_datadir}/greeting/greeting.py',
    after: 0,
  },
  {
    name: 'demo-data',
    project: 'demo-data',
    files: { 'data/colors.txt': 'red\ngreen\nblue\n' },
    message: 'Colors',
    tag: '0.3',
    summary: 'Demo data files',
    build: 'test -f data/colors.txt',
    install: 'install -D -m 0644 data/colors.txt %{buildroot}%{_datadir}/demo-data/colors.txt',
    installed: '%{_datadir}/demo-data/colors.txt',
    after: 60,
  },
  {
    name: 'broken-tool',
    project: 'broken-tool',
    files: { 'tool.sh': '#!/bin/sh\necho tool\n', BUILD_OK: 'yes\n' },
    message: 'First version',
    tag: '2.1.0',
    summary: 'A tool whose upstream will break its build',
    build: '# upstream must ship BUILD_OK; a later commit removes it\ntest -f BUILD_OK',
    install: 'install -D -m 0755 tool.sh %{buildroot}%{_bindir}/broken-tool',
    installed: '%{_bindir}/broken-tool',
    after: 120,
  },
];

/** The demo's upstreams and dist-gits: three small noarch packages. */
export async function createDemoRepositories(root: string, start: number): Promise<DemoPackage[]> {
  const upstreams = join(root, 'git', 'upstream');
  const distgits = join(root, 'git', 'distgit');
  const packages: DemoPackage[] = [];
  for (const source of DEMO_SOURCES) {
    const { name, project } = source;
    const pkg = { name, project, upstream: join(upstreams, project), distgit: join(distgits, `${project}-distgit`) };
    packages.push(pkg);
    const date = start + source.after;
    await initRepo(pkg.upstream, 'master');
    await commit(pkg.upstream, source.files, source.message, date);
    await git(pkg.upstream, ['tag', source.tag]);
    await initRepo(pkg.distgit, 'rpm-master');
    const specFile = spec(name, source.summary, source.build, source.install, source.installed);
    await commit(pkg.distgit, { [`${name}.spec`]: specFile }, `Package ${project}`, date);
  }
  return packages;
}

/** New upstream commits for the second pass: two good ones, and one that breaks broken-tool. */
export async function addDemoCommits(packages: readonly DemoPackage[], start: number): Promise<void> {
  const [greeting, data, tool] = packages;
  // The breaking commit comes first: the good builds after it move `current`, not `consistent`.
  await git(tool!.upstream, ['rm', '-q', 'BUILD_OK']);
  await git(tool!.upstream, ['commit', '-q', '-m', 'Drop BUILD_OK (breaks the package)'], start + 3600);
  await commit(greeting!.upstream, { 'greeting.py': 'print("hello, world")\n' }, 'Greet the whole world', start + 3700);
  await commit(data!.upstream, { 'data/colors.txt': 'red\ngreen\nblue\nyellow\n' }, 'Add yellow', start + 3800);
}

/** projects.ini and rdo.yml for the demo, in DLRN's formats. */
export async function writeDemoConfig(
  root: string,
  packages: readonly DemoPackage[],
  extraDefaults = '',
): Promise<string> {
  const reposUrl = `file://${join(root, 'data', 'repos')}`;
  const ini = `[DEFAULT]
datadir=./data
baseurl=${reposUrl}
distro=rpm-master
source=master
target=centos9
reponame=delorean
maxretries=3
build_driver=rpmbuild
pkginfo_driver=rdoinfo
${extraDefaults}
[rdoinfo_driver]
info_files=rdo.yml
`;
  const yml = `releases:
- name: demo
  branch: rpm-master
  repos:
  - name: el9
    distrepos: []
package-default:
  name: "%(project)s"
  maintainers:
  - packager@example.org
packages:
${packages
  .map(
    (p) =>
      `- project: ${p.project}\n  name: ${p.name}\n  upstream: file://${p.upstream}\n  master-distgit: file://${p.distgit}`,
  )
  .join('\n')}
`;
  await writeFile(join(root, 'projects.ini'), ini);
  await mkdir(join(root, 'rdoinfo'), { recursive: true });
  await writeFile(join(root, 'rdoinfo', 'rdo.yml'), yml);
  return join(root, 'projects.ini');
}
