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

describe('when the configuration asks for what is not built yet', () => {
  it.each([
    [
      'pkginfo_driver=gitrepo\n[gitrepo_driver]\nrepo=https://example.org/packaging.git',
      'pkginfo_driver',
      'the gitrepo package source is not supported yet; use rdoinfo',
    ],
    ['pkginfo_driver=local', 'pkginfo_driver', 'the local package source is not supported yet'],
  ])('refuses %s before resolving any package, naming the option', async (lines, key, reason) => {
    const dir = mkdtempSync(join(tmpdir(), 'dlrn-unsupported-'));
    const [defaults, ...section] = lines.split('\n[');
    const ini = `baseurl=http://x/\ntarget=t\nsource=master\ndistro=rpm-master\n${defaults}\n${section.length ? `[${section.join('\n[')}\n` : ''}`;
    writeFileSync(join(dir, 'projects.ini'), ini);
    const failure = loadConfiguration({ configFile: join(dir, 'projects.ini'), infoRepo: seed });
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toThrow(`${join(dir, 'projects.ini')}: [DEFAULT] ${key}: `);
    await expect(failure).rejects.toThrow(reason);
  });
});
