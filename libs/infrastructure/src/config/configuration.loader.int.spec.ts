import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfiguration, packagesAsJson } from './index.js';
import { FIXTURES } from '../../../../test/support/config-fixtures.js';

const seed = join(FIXTURES, 'seed-flock2017');

describe('when the FLOCK 2017 INI and YAML are loaded together', () => {
  it('returns the config and both packages, and the JSON of `config check`', async () => {
    const { config, packages } = await loadConfiguration({ configFile: join(seed, 'projects.ini'), infoRepo: seed });
    expect(config.default.target).toBe('fedora-rawhide');
    expect(packagesAsJson(packages, config)).toEqual([
      {
        name: 'systemd',
        project: 'systemd',
        upstream: 'https://github.com/systemd/systemd',
        'master-distgit': 'file:///home/fedora/git/systemd',
        'source-branch': 'master', // from the config's `source`
        'distro-branch': 'rpm-master',
        maintainers: ['flepied@redhat.com', 'yguenane@redhat.com'],
        component: null,
      },
      {
        name: 'ansible',
        project: 'ansible',
        upstream: 'https://github.com/ansible/ansible',
        'master-distgit': 'file:///home/fedora/git/ansible',
        'source-branch': 'devel',
        'distro-branch': 'rpm-devel',
        maintainers: ['flepied@redhat.com', 'yguenane@redhat.com'],
        component: null,
      },
    ]);
  });

  it('applies --config-override rules before resolving packages', async () => {
    const { config } = await loadConfiguration({
      configFile: join(seed, 'projects.ini'),
      infoRepo: seed,
      overrides: ['DEFAULT.baseurl=https://trunk.example.org/fedora/'],
    });
    expect(config.default.baseurl).toBe('https://trunk.example.org/fedora/');
  });
});

describe('when a package has no branch and the config has no default for it', () => {
  it('refuses the config naming the option and the package', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dlrn-branch-'));
    // Both seed packages have a distro-branch, only ansible has a source-branch.
    writeFileSync(join(dir, 'projects.ini'), 'baseurl=http://x/\ntarget=t\n');
    const failure = loadConfiguration({ configFile: join(dir, 'projects.ini'), infoRepo: seed });
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toThrow(
      `${join(dir, 'projects.ini')}: [DEFAULT] source: is not set and package 'systemd' has no 'source-branch'`,
    );
  });
});

describe('when pkginfo_driver is gitrepo or local', () => {
  const load = (lines: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'dlrn-sources-'));
    const [defaults, ...section] = lines.split('\n[');
    const ini = `baseurl=http://x/\ntarget=t\nsource=master\ndistro=rpm-master\n${defaults}\n${section.length ? `[${section.join('\n[')}\n` : ''}`;
    writeFileSync(join(dir, 'projects.ini'), ini);
    return loadConfiguration({ configFile: join(dir, 'projects.ini'), cwd: dir });
  };

  it.each([
    'pkginfo_driver=gitrepo\n[gitrepo_driver]\nrepo=https://example.org/packaging.git\ndirectory=/openstack',
    'pkginfo_driver=dlrn.drivers.local.LocalDriver',
  ])('loads %j with no package yet and a source that each pass asks', async (lines) => {
    const { packages, packageSource } = await load(lines);
    expect(packages).toEqual([]);
    expect(packageSource).not.toBeNull();
  });

  it('refuses gitrepo without directory, naming [gitrepo_driver] directory', async () => {
    const failure = load('pkginfo_driver=gitrepo\n[gitrepo_driver]\nrepo=https://example.org/packaging.git');
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toThrow('[gitrepo_driver] directory: is required by pkginfo_driver gitrepo');
  });
});
