import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoRepositories, writeDemoConfig, type DemoPackage } from '../../apps/cli/src/demo/demo-example.js';
import { runDlrn, type CliRun } from '../support/cli.js';
import { INI, builtRepos, commitAll, git, successes, write } from '../support/package-sources.fixtures.js';

/*
 * Issue 17, item 4, through the `dlrn` CLI with real git repositories and rpmbuild: dist-gits
 * that carry only a renderspec `.spec.j2`. DLRN renders it with `renderspec --spec-style fedora`
 * when it refreshes the dist-git; the RPM is built from the rendered spec.
 */
const TEMPLATE = `{% set pypi_name = 'greeting' %}
{% set upstream_version = upstream_version('1.0.0') %}
{% set rpm_release = '1' %}
Name:           {{ py2name() }}
Version:        {{ py2rpmversion() }}
Release:        {{ py2rpmrelease() }}
Summary:        Greets the world
License:        {{ license('Apache-2.0') }}
BuildArch:      noarch
Source0:        {{ url_pypi() }}
Provides:       {{ py3(pypi_name) }}

%description
Greets the world, from a renderspec template.

%prep
%setup -q

%build
test -f greeting.py

%install
install -D -m 0644 greeting.py %{buildroot}%{_datadir}/greeting/greeting.py

%files
%{_datadir}/greeting/greeting.py

%changelog
`;

describe('a dist-git carrying only a renderspec template', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrnrenderspece2e'));
  let packages: DemoPackage[];
  let run: CliRun;

  beforeAll(async () => {
    packages = (await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400)).slice(0, 2);
    const [greeting, data] = packages;
    git(greeting!.distgit, 'rm', '-q', `${greeting!.name}.spec`);
    write(greeting!.distgit, { [`${greeting!.name}.spec.j2`]: TEMPLATE });
    commitAll(greeting!.distgit, 'Packaging as a renderspec template');
    git(data!.distgit, 'rm', '-q', `${data!.name}.spec`);
    write(data!.distgit, { [`${data!.name}.spec.j2`]: 'Name: demo-data\n\nVersion: {{ shell("id") }}\n' });
    commitAll(data!.distgit, 'A template calling what renderspec does not have');
    const configFile = await writeDemoConfig(root, packages);
    run = await runDlrn(['--config-file', configFile, '--info-repo', join(root, 'rdoinfo')]);
  }, 180_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('builds the RPM from the rendered spec: its Name, License and Provides come from the template', () => {
    expect(run.stderr).toBe('');
    expect(successes(run)).toEqual(['python-greeting']);
    const repo = builtRepos(join(root, 'data')).find((r) => r.rpms.some((f) => f.startsWith('python-greeting-')))!;
    const binary = repo.rpms.find((f) => f.endsWith('.noarch.rpm'))!;
    // Version from the upstream tag (DLRN's rule: the template's is replaced), Name from py2name()
    expect(binary).toMatch(/^python-greeting-1\.0\.0-0\.\d{14}\.[0-9a-f]{7}\.el9\.noarch\.rpm$/);
    const rpm = join(root, 'data', 'repos', repo.dir, binary);
    const query = (format: string) => execFileSync('rpm', ['-qp', '--qf', format, rpm], { encoding: 'utf8' });
    expect(query('%{NAME} %{LICENSE}')).toBe('python-greeting ASL 2.0');
    expect(execFileSync('rpm', ['-qp', '--provides', rpm], { encoding: 'utf8' })).toContain('python3-greeting');
  });

  it('writes the rendered spec beside the template, with renderspec’s fedora preamble, and says so', () => {
    expect(run.stdout).toContain('python-greeting: renderspec: python-greeting.spec.j2 -> python-greeting.spec\n');
    const spec = readFileSync(join(root, 'data', 'python-greeting_distro', 'python-greeting.spec'), 'utf8');
    expect(spec.startsWith('%if 0%{?rhel} || 0%{?fedora}\n%global rdo 1\n%endif\n')).toBe(true);
    expect(spec).toContain(
      'Source0:        https://files.pythonhosted.org/packages/source/g/greeting/greeting-1.0.0.tar.gz',
    );
  });

  it('skips a template calling an unknown function, naming the file and line', () => {
    expect(run.stdout).toContain(
      "skipping demo-data: renderspec: demo-data.spec.j2:3: unknown function shell(): renderspec's are",
    );
  });
});

/*
 * The gitrepo driver (openstack/rpm-packaging's layout): renderspec always runs there, with
 * `--output <pymod2pkg name>.spec` and the repository's `epoch/fedora.yaml`, and `-%{version}`
 * is rewritten to `-%{upstream_version}` in the spec.
 */
describe('a gitrepo packaging repository in rpm-packaging’s layout', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrnrenderspecgitrepoe2e'));
  let run: CliRun;

  beforeAll(async () => {
    const [greeting] = await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400);
    const packaging = join(root, 'git', 'packaging');
    mkdirSync(packaging, { recursive: true });
    git(packaging, 'init', '-q', '-b', 'rpm-master');
    write(packaging, {
      'epoch/fedora.yaml': 'epochs:\n  greeting: 1\n',
      'openstack/greeting/upstream': `file://${greeting!.upstream}\n`,
      'openstack/greeting/greeting.spec.j2': TEMPLATE.replace(
        'Provides:       {{ py3(pypi_name) }}\n',
        'Epoch:          {{ epoch(pypi_name) }}\nProvides:       greeting-source(%{name}-%{version}.tar.gz)\n',
      ),
    });
    commitAll(packaging, 'greeting as a renderspec template');
    writeFileSync(
      join(root, 'projects.ini'),
      INI('gitrepo', `[gitrepo_driver]\nrepo=file://${packaging}\ndirectory=/openstack\n`),
    );
    run = await runDlrn(['--config-file', join(root, 'projects.ini')]);
  }, 180_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('builds the package from <pymod2pkg name>.spec, with the epoch of epoch/fedora.yaml', () => {
    expect(run.stderr).toBe('');
    expect(successes(run)).toEqual(['greeting']);
    const repo = builtRepos(join(root, 'data')).find((r) => r.rpms.some((f) => f.startsWith('python-greeting-')))!;
    const rpm = join(
      root,
      'data',
      'repos',
      repo.dir,
      repo.rpms.find((f) => f.endsWith('.noarch.rpm'))!,
    );
    expect(execFileSync('rpm', ['-qp', '--qf', '%{NAME} %{EPOCH} %{VERSION}', rpm], { encoding: 'utf8' })).toBe(
      'python-greeting 1 1.0.0',
    );
  });

  it('rewrites -%{version} to -%{upstream_version} in the rendered spec, as DLRN does', () => {
    const spec = readFileSync(
      join(root, 'data', 'greeting_distro', 'openstack', 'greeting', 'python-greeting.spec'),
      'utf8',
    );
    expect(spec).toContain('Provides:       greeting-source(%{name}-%{upstream_version}.tar.gz)');
    expect(spec).toContain('Epoch:          1\n');
  });
});
