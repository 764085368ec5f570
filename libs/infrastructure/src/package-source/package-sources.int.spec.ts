import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PackageSourceError, type PackageSource } from '#domain/package/package-source.ports.js';
import { git, gitTestEnv, tempDir } from '../../../../test/support/git-fixtures.js';
import { ConfigError } from '#infrastructure/config/shared/config.error.js';
import { loadProjectsIni } from '#infrastructure/config/ini/projects-ini.loader.js';
import { GitCliRepositories } from '#infrastructure/git/git-cli.repositories.js';
import { GitCommandRunner } from '#infrastructure/git/git-command.runner.js';
import { GitrepoPackageSource } from './gitrepo.package-source.js';
import { LocalPackageSource } from './local.package-source.js';
import { createPackageSource } from './package-source.factory.js';
import { RdoinfoPackageSource } from './rdoinfo.package-source.js';

const PASS = { dev: false, local: false };
const SPEC = (name: string, version = '1.0.0', extra = '') => `Name: ${name}\nVersion: ${version}\n${extra}`;

let root: string;
beforeEach(() => {
  root = tempDir('dlrn-pkgsrc-');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(dir: string, files: Readonly<Record<string, string>>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

async function repo(name: string, branch: string, files: Readonly<Record<string, string>>): Promise<string> {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  await git(dir, ['init', '-q', '-b', branch]);
  write(dir, files);
  await git(dir, ['add', '-A']);
  await git(dir, ['commit', '-q', '-m', 'init']);
  return dir;
}

function config(ini: string) {
  const file = join(root, 'projects.ini');
  writeFileSync(
    file,
    `[DEFAULT]\ndatadir=./data\nbaseurl=http://x/\ntarget=t\ndistro=rpm-master\nsource=master\n${ini}`,
  );
  return loadProjectsIni(file);
}

const gitAdapter = () => new GitCliRepositories({ env: gitTestEnv() });
const runner = () => new GitCommandRunner({ env: gitTestEnv() });

describe('a gitrepo packaging repository', () => {
  const source = async (files: Readonly<Record<string, string>>, extra = '', branch = 'rpm-master') => {
    const packaging = await repo('packaging', branch, files);
    const cfg = config(
      `pkginfo_driver=gitrepo\n[gitrepo_driver]\nrepo=file://${packaging}\ndirectory=/openstack,/extra\n${extra}`,
    );
    return new GitrepoPackageSource(cfg, gitAdapter(), runner());
  };

  it('lists each folder of each directory as a package, minus skip and hidden folders', async () => {
    const listed = await (
      await source(
        {
          'openstack/nova/nova.spec': SPEC('nova', '1', 'URL: https://opendev.org/openstack/nova\n'),
          'openstack/glance/glance.spec': SPEC('glance'),
          'openstack/glance/upstream': 'file:///srv/glance.git\n',
          'openstack/old/old.spec': SPEC('old'),
          'openstack/.hidden/x.spec': SPEC('x'),
          'extra/tool/tool.spec': SPEC('tool', '1', 'URL: https://example.org/tool.git\n'),
        },
        'skip=old',
      )
    ).list(PASS);
    expect(listed.refused).toEqual([]);
    expect(listed.packages.map((p) => [p.name, p.upstream, p['distgit-path'], p['distro-branch']])).toEqual([
      ['glance', 'file:///srv/glance.git', 'openstack/glance', 'rpm-master'],
      ['nova', 'https://opendev.org/openstack/nova', 'openstack/nova', 'rpm-master'],
      ['tool', 'https://example.org/tool.git', 'extra/tool', 'rpm-master'],
    ]);
    expect(listed.packages[0]).toMatchObject({
      project: 'glance',
      maintainers: ['test@example.com'],
      'master-distgit': expect.stringMatching(/^file:\/\/.*\/packaging\/openstack\/glance$/),
    });
    expect(listed.packages[0]!['source-branch']).toBeUndefined();
  });

  it('refuses, each with its reason, a template renderspec refuses, one without upstream and one with two specs', async () => {
    const listed = await (
      await source({
        'openstack/tpl/tpl.spec.j2': 'Name: tpl\n{{ shell("id") }}',
        'openstack/nourl/nourl.spec': SPEC('nourl'),
        'openstack/two/a.spec': SPEC('a', '1', 'URL: u\n'),
        'openstack/two/b.spec': SPEC('b', '1', 'URL: u\n'),
        'extra/.keep': '',
      })
    ).list(PASS);
    expect(listed.packages).toEqual([]);
    expect(listed.refused).toEqual([
      {
        name: 'nourl',
        reason: "openstack/nourl: no upstream repository: write its git URL in an 'upstream' file or the spec's URL:",
      },
      {
        name: 'tpl',
        reason: expect.stringMatching(
          /^openstack\/tpl: renderspec: openstack\/tpl\/tpl\.spec\.j2:2: unknown function shell\(\)/,
        ) as unknown as string,
      },
      { name: 'two', reason: 'openstack/two: several .spec files (a.spec, b.spec); expected one' },
    ]);
  });

  it('refuses a spec or upstream file that is a symbolic link (it could name any file of the builder)', async () => {
    const src = await source({
      'openstack/nova/upstream': 'file:///srv/nova.git\n',
      'openstack/glance/glance.spec': SPEC('glance'),
      'extra/.keep': '',
    });
    const packaging = join(root, 'packaging');
    symlinkSync('/etc/hostname', join(packaging, 'openstack', 'nova', 'nova.spec'));
    symlinkSync('/etc/hostname', join(packaging, 'openstack', 'glance', 'upstream'));
    await git(packaging, ['add', '-A']);
    await git(packaging, ['commit', '-q', '-m', 'links']);
    const listed = await src.list(PASS);
    expect(listed.refused).toEqual([
      { name: 'glance', reason: 'openstack/glance: upstream: not a regular file' },
      { name: 'nova', reason: 'openstack/nova: nova.spec: not a regular file' },
    ]);
  });

  it('takes the source branch from the spec’s Version with use_version_from_spec', async () => {
    const listed = await (
      await source(
        { 'openstack/nova/nova.spec': SPEC('nova', '28.0.1~rc1', 'URL: u\n'), 'extra/.keep': '' },
        'use_version_from_spec=true',
      )
    ).list(PASS);
    expect(listed.packages[0]!['source-branch']).toBe('28.0.1rc1');
  });

  it('reads a template-only folder through renderspec, its version from `set upstream_version`', async () => {
    const listed = await (
      await source(
        {
          'openstack/futurist/futurist.spec.j2':
            "{% set pypi_name = 'futurist' %}\n{% set upstream_version = upstream_version('3.1.0') %}\nName: {{ py2name() }}\nVersion: {{ upstream_version }}\nURL: https://opendev.org/openstack/{{ pypi_name }}\n",
          'extra/.keep': '',
        },
        'use_version_from_spec=true',
      )
    ).list(PASS);
    expect(listed.refused).toEqual([]);
    expect(listed.packages[0]).toMatchObject({
      name: 'futurist',
      upstream: 'https://opendev.org/openstack/futurist',
      'source-branch': '3.1.0',
    });
  });

  it('falls back to master when the distro branch does not exist, as DLRN', async () => {
    const listed = await (
      await source({ 'openstack/nova/nova.spec': SPEC('nova', '1', 'URL: u\n'), 'extra/.keep': '' }, '', 'master')
    ).list(PASS);
    expect(listed.packages.map((p) => p['distro-branch'])).toEqual(['master']);
  });

  it('answers the last commit touching a folder as its change', async () => {
    const packaging = await repo('solo', 'rpm-master', { 'a/x.spec': 'x', 'b/y.spec': 'y' });
    const first = (await git(packaging, ['rev-parse', 'HEAD'])).trim();
    write(packaging, { 'b/y.spec': 'y2' });
    await git(packaging, ['commit', '-q', '-am', 'b only']);
    const src = new GitrepoPackageSource(config(''), gitAdapter(), runner());
    expect((await src.lastChange(packaging, 'a')).hash).toBe(first);
    expect((await src.lastChange(packaging, 'b')).hash).not.toBe(first);
  });
});

describe('the gitrepo section checked at load', () => {
  it.each([
    ['', 'repo', 'is required by'],
    ['repo=https://x/p.git\n', 'directory', 'is required by pkginfo_driver gitrepo'],
    ['repo=https://x/p.git\ndirectory=../../etc\n', 'directory', "'../../etc' leaves the packaging repository"],
  ])('refuses [gitrepo_driver] %j, naming the key', (section, key, reason) => {
    let error: unknown;
    try {
      createPackageSource(config(`pkginfo_driver=gitrepo\n[gitrepo_driver]\n${section}`));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ section: 'gitrepo_driver', key });
    expect((error as ConfigError).reason).toContain(reason);
  });
});

describe('a package source that cannot answer', () => {
  it('fails with a PackageSourceError naming the driver and the repository', async () => {
    const cfg = config(`pkginfo_driver=gitrepo\n[gitrepo_driver]\nrepo=file://${root}/nowhere\ndirectory=/openstack\n`);
    const failure = createPackageSource(cfg, { git: gitAdapter() })!.list(PASS);
    await expect(failure).rejects.toBeInstanceOf(PackageSourceError);
    await expect(failure).rejects.toThrow(
      /^pkginfo_driver gitrepo: git clone failed \(file:\/\/.*\/nowhere, branch master/,
    );
  });

  it('keeps the local driver’s own words, named once', async () => {
    const cfg = config('pkginfo_driver=local\n');
    const failure = createPackageSource(cfg, { cwd: root })!.list(PASS);
    await expect(failure).rejects.toThrow(
      `pkginfo_driver local: ${root} is not a git repository (run dlrn in the dist-git directory)`,
    );
  });
});

describe('the local driver', () => {
  const local = (cwd: string): PackageSource => new LocalPackageSource(config('pkginfo_driver=local\n'), cwd, runner());

  it('offers the spec of the working directory, copied with its uncommitted changes, minus a datadir inside it', async () => {
    const dir = await repo('data-parent', 'rpm-master', { 'pkg.spec': SPEC('pkg', '2.1') });
    writeFileSync(join(dir, 'patch.diff'), 'not committed\n');
    const cfgFile = join(dir, 'projects.ini');
    writeFileSync(cfgFile, '[DEFAULT]\ndatadir=./data\nbaseurl=http://x/\ntarget=t\npkginfo_driver=local\n');
    mkdirSync(join(dir, 'data'));
    const listed = await new LocalPackageSource(loadProjectsIni(cfgFile), dir, runner()).list(PASS);
    const copy = join(dir, 'data', 'pkg_distro');
    expect(listed.packages).toEqual([
      {
        name: 'pkg',
        project: 'pkg',
        upstream: 'Unknown',
        'master-distgit': copy,
        maintainers: ['test@example.com'],
        'source-branch': '2.1',
      },
    ]);
    expect(readFileSync(join(copy, 'patch.diff'), 'utf8')).toBe('not committed\n');
    expect(existsSync(join(copy, 'data'))).toBe(false);
  });

  it.each([
    ['a directory that is not a git repository', false, { 'p.spec': SPEC('p') }, 'is not a git repository'],
    ['a dist-git without spec', true, { README: 'x' }, 'no .spec file in'],
    ['a Version made of macros', true, { 'p.spec': SPEC('p', '%{upstream_version}') }, 'is not a plain RPM version'],
  ])('refuses %s', async (_what, isGit, files, reason) => {
    const dir = isGit ? await repo('dg', 'rpm-master', files) : join(root, 'plain');
    if (!isGit) write(dir, files);
    await expect(local(dir).list(PASS)).rejects.toThrow(reason);
  });
});

describe('rdoinfo from a git URL', () => {
  const yml = (projects: readonly string[]) =>
    `releases:\n- name: r\n  branch: rpm-master\n  repos: []\npackages:\n${projects.map((p) => `- project: ${p}\n  name: ${p}\n  upstream: https://h/${p}\n  master-distgit: https://d/${p}\n  maintainers: [m@example.org]\n`).join('')}`;

  it('clones it into <datadir>/rdoinfo, and a package committed later is listed by the next call', async () => {
    const rdoinfo = await repo('rdoinfo-src', 'master', { 'rdo.yml': yml(['a']) });
    const cfg = config(`[rdoinfo_driver]\nrepo=file://${rdoinfo}\n`);
    const source = new RdoinfoPackageSource(cfg, gitAdapter(), undefined, runner());
    expect((await source.list(PASS)).packages.map((p) => p.name)).toEqual(['a']);
    expect(existsSync(join(root, 'data', 'rdoinfo', 'rdo.yml'))).toBe(true);
    write(rdoinfo, { 'rdo.yml': yml(['a', 'b']) });
    await git(rdoinfo, ['commit', '-q', '-am', 'b']);
    expect((await source.list(PASS)).packages.map((p) => p.name)).toEqual(['a', 'b']);
    // --dev and --local use the clone as it is.
    write(rdoinfo, { 'rdo.yml': yml(['a', 'b', 'c']) });
    await git(rdoinfo, ['commit', '-q', '-am', 'c']);
    expect((await source.list({ dev: true, local: false })).packages.map((p) => p.name)).toEqual(['a', 'b']);
  });

  it('reads several info_files, as distroinfo merges them', async () => {
    const rdoinfo = await repo('rdoinfo-two', 'master', { 'rdo.yml': yml(['a']), 'more.yml': yml(['z']) });
    const cfg = config(`[rdoinfo_driver]\nrepo=file://${rdoinfo}\ninfo_files=rdo.yml,more.yml\n`);
    const listed = await new RdoinfoPackageSource(cfg, gitAdapter(), undefined, runner()).list(PASS);
    expect(listed.packages.map((p) => p.name).sort()).toEqual(['a', 'z']);
  });
});
