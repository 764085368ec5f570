import { closeSync, mkdtempSync, openSync, ftruncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadProjectsIni } from '../ini/projects-ini.loader.js';
import { FIXTURES, RELEASES, configErrorFrom, writeTree } from '../../../../../test/support/config-fixtures.js';
import { resolvePackages } from './package-metadata.resolver.js';

const sampleIni = join(FIXTURES, 'dlrn-sample/projects.ini');
const seedConfig = loadProjectsIni(join(FIXTURES, 'seed-flock2017/projects.ini'));
const badTree = (name: string) => join(FIXTURES, 'bad-yaml', name);
const withTag = (tag: string) => loadProjectsIni(sampleIni, [`DEFAULT.tags=${tag}`]);
const names = (pkgs: ReadonlyArray<{ name: string }>) => pkgs.map((p) => p.name);

describe('when the seed talk YAML is resolved', () => {
  const packages = resolvePackages(seedConfig, join(FIXTURES, 'seed-flock2017'));

  it('applies package-default, the conf and the package keys, in file order', () => {
    expect(packages).toEqual([
      {
        name: 'systemd',
        project: 'systemd',
        conf: 'pkgconf',
        upstream: 'https://github.com/systemd/systemd',
        'master-distgit': 'file:///home/fedora/git/systemd',
        maintainers: ['flepied@redhat.com', 'yguenane@redhat.com'],
        'distro-branch': 'rpm-master',
      },
      {
        name: 'ansible',
        project: 'ansible',
        conf: 'pkgconf',
        upstream: 'https://github.com/ansible/ansible',
        'master-distgit': 'file:///home/fedora/git/ansible',
        maintainers: ['flepied@redhat.com', 'yguenane@redhat.com'],
        'distro-branch': 'rpm-devel',
        'source-branch': 'devel',
      },
    ]);
  });
});

describe('when an rdoinfo tree imports several files and no tag is configured', () => {
  // [rdoinfo_driver] repo=../rdoinfo: a local directory is read in place, no --info-repo needed.
  const packages = resolvePackages(loadProjectsIni(sampleIni));

  it('keeps every package: the including file first, then each import depth-first', () => {
    expect(names(packages)).toEqual([
      'openstack-nova',
      'openstack-keystone',
      'openstack-glance',
      'python-glance-store',
      'openstack-swift',
      'python-neutron-lib',
      'openstack-heat',
      'openstack-sahara',
      'openstack-cinder',
      'openstack-ironic',
      'openstack-octavia',
      'python-oslo-config',
      'python-whitebox-tests-tempest',
      'gnocchi',
      'python-novaclient',
      'python-keystoneclient',
      'python-openstackclient',
      'puppet-nova',
      'puppet-keystone',
      'puppet-stdlib',
    ]);
  });

  it('layers package-default < conf < package, and merges the tags files by project', () => {
    const nova = packages.find((p) => p.project === 'nova');
    expect(nova).toMatchObject({
      name: 'openstack-nova',
      upstream: 'https://opendev.org/openstack/nova',
      'master-distgit': 'https://github.com/rdo-packages/nova-distgit.git',
      distgit: 'https://github.com/rdo-packages/nova-distgit.git',
      'review-origin': 'ssh://review.rdoproject.org:29418/openstack/nova-distgit.git',
      maintainers: ['nova-maint@example.org'],
      component: 'compute',
      tags: { flamingo: null, epoxy: { 'source-branch': 'stable/2025.1', 'distro-branch': 'epoxy-rdo' } },
    });
    expect(nova?.['source-branch']).toBeUndefined();
  });

  it('interpolates values coming from the conf with the package project', () => {
    const oslo = packages.find((p) => p.project === 'oslo.config');
    expect(oslo).toMatchObject({
      name: 'python-oslo-config',
      'master-distgit': 'https://opendev.org/openstack/rpm-packaging',
      'distgit-path': '/openstack/oslo.config',
      'distro-branch': 'master',
      maintainers: ['packaging@example.org'],
    });
    expect(packages.find((p) => p.project === 'whitebox-tempest-plugin')?.upstream).toBe(
      'https://opendev.org/x/whitebox-tempest-plugin',
    );
  });
});

describe('when the configured tag is the development release', () => {
  const packages = resolvePackages(withTag('flamingo'));

  it('drops packages without that tag, including one whose own tags replace the conf tags', () => {
    expect(packages).toHaveLength(16);
    expect(names(packages)).not.toContain('openstack-heat');
    expect(names(packages)).not.toContain('gnocchi');
    // puppet-stdlib's own `tags` (epoxy only) replaces rpmfactory-puppet's: not a flamingo package.
    expect(names(packages)).not.toContain('puppet-stdlib');
    expect(names(packages)).toContain('puppet-nova');
  });
});

describe('when the configured tag is a maintained release with overrides', () => {
  const packages = resolvePackages(withTag('epoxy'));

  it('applies the per-release overrides to the kept packages', () => {
    expect(packages.map((p) => [p.name, p['source-branch'], p['distro-branch']])).toEqual([
      ['openstack-nova', 'stable/2025.1', 'epoxy-rdo'],
      ['openstack-keystone', 'stable/2025.1', 'epoxy-rdo'],
      ['openstack-glance', 'stable/2025.1', undefined],
      ['gnocchi', 'stable/4.6', undefined],
      ['python-novaclient', 'stable/2025.1', undefined],
      ['puppet-nova', 'stable/2025.1', undefined],
      ['puppet-keystone', 'stable/2025.1', undefined],
      ['puppet-stdlib', '9.7', undefined],
    ]);
  });

  it('matches the tag exactly: a prefix of a tag is not that tag', () => {
    expect(resolvePackages(withTag('epox'))).toEqual([]);
  });
});

describe('when the package metadata breaks a rule', () => {
  const refusal = (name: string) => configErrorFrom(() => resolvePackages(seedConfig, badTree(name)));

  it('refuses a package without upstream, naming file, key path and line', () => {
    const error = refusal('no-upstream');
    expect(error).toMatchObject({
      key: 'packages[3].upstream',
      line: 18,
      file: join(badTree('no-upstream'), 'rdo.yml'),
    });
    expect(error.reason).toBe("missing 'upstream' (project 'swift')");
  });

  it('refuses an unknown conf with the near name', () => {
    expect(refusal('unknown-conf').message).toMatch(
      /packages\[1\]\.conf: unknown conf "rpmfactory-cor": not in package-configs \(did you mean 'rpmfactory-core'\?\) \(project 'neutron'\) \(line 17\)$/,
    );
  });

  it('refuses a %(key)s naming an unknown key where the template is written', () => {
    const error = refusal('unknown-key');
    expect(error).toMatchObject({ key: 'package-configs.rpmfactory-core.upstream', line: 9 });
    expect(error.reason).toContain("'%(projet)s' refers to unknown key 'projet' (did you mean 'project'?)");
  });

  it('refuses an interpolation loop', () => {
    expect(refusal('interpolation-loop').reason).toContain('interpolation loop: name → srpm → name');
  });

  it('refuses two packages with the same name', () => {
    const error = refusal('duplicate-names');
    expect(error).toMatchObject({ key: 'packages[1].name', line: 15 });
    expect(error.reason).toContain("duplicate package name 'gnocchi', also produced by project 'gnocchi'");
  });

  it('refuses a maintainer that is not an e-mail address', () => {
    expect(refusal('bad-maintainer').reason).toContain('"nova maintainers" doesn\'t look like a maintainer\'s e-mail');
  });

  it('refuses an upstream URL with a comma, which would shift the columns of versions.csv', () => {
    const error = refusal('comma-in-url');
    expect(error).toMatchObject({ key: 'packages[1].upstream', line: 15 });
    expect(error.reason).toContain('"https://opendev.org/openstack/glance,evil": a URL with a comma or a line break');
  });

  it('refuses a near miss of a key DLRN reads, while the keys rdoinfo carries load', () => {
    const error = refusal('near-miss-key');
    expect(error).toMatchObject({ key: 'packages[1].distro-brnach', line: 20 });
    expect(error.reason).toBe("unknown key 'distro-brnach' (did you mean 'distro-branch'?) (project 'glance')");
  });

  it('refuses malformed YAML with the line from the parser', () => {
    const error = refusal('malformed');
    expect(error.line).toBe(9);
    expect(error.reason).toMatch(/^malformed YAML: /);
  });

  it('refuses a top level that is not a mapping', () => {
    expect(refusal('top-level-list').reason).toContain('the top level must be a mapping');
  });

  it('refuses an alias bomb before expanding it', () => {
    expect(refusal('alias-bomb').reason).toContain('once aliases are expanded');
  });

  it('refuses an import cycle, showing it', () => {
    expect(refusal('import-cycle').reason).toMatch(/circular import: .*common\.yml → .*more\.yml → .*common\.yml$/);
  });

  it('refuses an import outside the info repo', () => {
    expect(refusal('import-outside')).toMatchObject({ key: 'import[0]', line: 2 });
  });
});

describe('when an info file is huge', () => {
  it('refuses it from its size, without reading it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dlrn-big-'));
    const fd = openSync(join(dir, 'rdo.yml'), 'w');
    ftruncateSync(fd, 50 * 1024 * 1024); // sparse: 50 MB that nobody wrote
    closeSync(fd);
    const error = configErrorFrom(() => resolvePackages(seedConfig, dir));
    expect(error.reason).toBe('file is 50.0 MB; the limit is 10 MB');
  });
});

describe('when the info repo is not a local directory', () => {
  const configWith = (extra: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'dlrn-repo-'));
    writeFileSync(join(dir, 'projects.ini'), `baseurl=http://x/\ntarget=t\n${extra}`);
    return loadProjectsIni(join(dir, 'projects.ini'));
  };

  it('asks for --info-repo when no repo is configured', () => {
    const error = configErrorFrom(() => resolvePackages(configWith('')));
    expect(error).toMatchObject({ section: 'rdoinfo_driver', key: 'repo' });
    expect(error.reason).toContain('pass --info-repo DIR');
  });

  it('lists no package yet for a remote repo that no pass has cloned (a pass clones it)', () => {
    expect(resolvePackages(configWith('[rdoinfo_driver]\nrepo=https://github.com/org/rdoinfo\n'))).toEqual([]);
  });

  it('reads a file:// repo in place', () => {
    const url = pathToFileURL(join(FIXTURES, 'seed-flock2017')).href;
    expect(names(resolvePackages(configWith(`[rdoinfo_driver]\nrepo=${url}\n`)))).toEqual(['systemd', 'ansible']);
  });
});

describe('when a package entry lacks its identity', () => {
  const refusal = (packages: string) =>
    configErrorFrom(() => resolvePackages(seedConfig, writeTree({ 'rdo.yml': `${RELEASES}packages:\n${packages}` })));

  it('refuses an entry without project', () => {
    const error = refusal('- name: python-foo\n  upstream: https://h/foo\n');
    expect(error).toMatchObject({ key: 'packages[0].project', line: 7 });
    expect(error.reason).toContain("missing 'project'");
  });

  it('refuses a package that ends up without a name', () => {
    const error = refusal(
      '- project: foo\n  upstream: https://h/foo\n  master-distgit: https://d/foo\n  maintainers: [m@example.org]\n',
    );
    expect(error).toMatchObject({ key: 'packages[0].name', line: 7 });
  });

  it('refuses a project written twice in one file', () => {
    const error = refusal('- project: foo\n- project: foo\n');
    expect(error.reason).toBe("duplicate project 'foo' (first at packages[0], line 7)");
  });
});

describe('when a tags file names a project that no other file defines', () => {
  it('refuses the half-defined package, pointing at the tags file', () => {
    const dir = writeTree({
      'rdo.yml': `import:\n- tags/flamingo.yml\n${RELEASES}packages: []\n`,
      'tags/flamingo.yml': 'packages:\n- project: ghost\n  tags:\n    flamingo:\n',
    });
    const error = configErrorFrom(() => resolvePackages(seedConfig, dir));
    expect(error).toMatchObject({ file: join(dir, 'tags/flamingo.yml'), key: 'packages[0].name', line: 2 });
  });
});

describe('when a branch is written as a YAML number', () => {
  it('refuses it, since 2023.10 would become 2023.1', () => {
    const dir = writeTree({
      'rdo.yml': `${RELEASES}packages:\n- project: foo\n  name: foo\n  upstream: https://h/foo\n  master-distgit: https://d/foo\n  maintainers: [m@example.org]\n  source-branch: 2023.10\n`,
    });
    const error = configErrorFrom(() => resolvePackages(seedConfig, dir));
    expect(error).toMatchObject({ key: 'packages[0].source-branch', line: 12 });
    expect(error.reason).toBe("must be text (quote it), got number 2023.1 (project 'foo')");
  });
});

describe('when a component is not a plain directory name', () => {
  it('refuses it, naming the key: components name directories under repos/component/', () => {
    const dir = writeTree({
      'rdo.yml': `${RELEASES}packages:\n- project: foo\n  name: foo\n  upstream: https://h/foo\n  master-distgit: https://d/foo\n  maintainers: [m@example.org]\n  component: ../../etc\n`,
    });
    const error = configErrorFrom(() => resolvePackages(seedConfig, dir));
    expect(error).toMatchObject({ key: 'packages[0].component', line: 12 });
    expect(error.reason).toBe('"../../etc" is not a plain directory name (project \'foo\')');
  });
});
