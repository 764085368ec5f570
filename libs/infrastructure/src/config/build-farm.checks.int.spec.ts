import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfiguration } from './index.js';
import { FIXTURES } from '../../../../test/support/config-fixtures.js';

const seed = join(FIXTURES, 'seed-flock2017');
const root = mkdtempSync(join(tmpdir(), 'dlrn-farm-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function load(defaults: string, section: string) {
  const dir = join(root, `case-${++n}`);
  const file = join(dir, 'projects.ini');
  mkdirSync(dir);
  writeFileSync(
    file,
    `[DEFAULT]\nbaseurl=http://x/\ntarget=t\nsource=master\ndistro=rpm-master\n${defaults}\n${section}\n`,
  );
  return { file, loaded: loadConfiguration({ configFile: file, infoRepo: seed }) };
}

describe('when build_driver is koji or copr', () => {
  it('loads a koji configuration with cbs on PATH, a principal, a keytab and extra tags', async () => {
    const { loaded } = load(
      'build_driver=dlrn.drivers.kojidriver.KojiBuildDriver',
      '[kojibuild_driver]\nkoji_exe=cbs\nbuild_target=cloud9s-openstack-trunk-el9\nkrb_principal=dlrn@EXAMPLE.ORG\nkrb_keytab=/etc/dlrn.keytab\nadditional_koji_tags=a,b',
    );
    const { config } = await loaded;
    expect(config.default.buildDriverName).toBe('koji');
    expect(config.kojibuildDriver.additionalKojiTags).toEqual(['a', 'b']);
  });

  it('loads fetch_mock_config with its overrides', async () => {
    const { loaded } = load(
      'build_driver=koji',
      '[kojibuild_driver]\nbuild_target=t\nfetch_mock_config=true\nmock_base_packages=basesystem rpm-build\nmock_package_manager=dnf',
    );
    expect((await loaded).config.kojibuildDriver).toMatchObject({ fetchMockConfig: true, mockPackageManager: 'dnf' });
  });

  it('loads the rhpkg flow with its login and timeout', async () => {
    const { config } = await load(
      'build_driver=koji',
      '[kojibuild_driver]\nbuild_target=t\nuse_rhpkg=true\nrhpkg_timeout=600\nkrb_principal=dlrn@X\nkrb_keytab=/etc/dlrn.keytab',
    ).loaded;
    expect(config.kojibuildDriver).toMatchObject({ useRhpkg: true, rhpkgTimeout: 600, krbPrincipal: 'dlrn@X' });
  });

  it('loads a copr configuration', async () => {
    const { config } = await load('build_driver=copr', '[coprbuild_driver]\ncoprid=@openstack/trunk').loaded;
    expect(config.coprbuildDriver.coprid).toBe('@openstack/trunk');
  });

  it.each([
    [
      'build_driver=koji',
      'build_target=t\nuse_rhpkg=true',
      'kojibuild_driver',
      'krb_principal',
      'is required when use_rhpkg is true (kinit)',
    ],
    [
      'build_driver=koji',
      'build_target=t\nuse_rhpkg=true\nkrb_principal=me@X',
      'kojibuild_driver',
      'krb_keytab',
      'is required when krb_principal is set',
    ],
    [
      'build_driver=koji',
      "build_target=t\nfetch_mock_config=true\nmock_base_packages=bash'",
      'kojibuild_driver',
      'mock_base_packages',
      'is not a package or @group name',
    ],
    [
      'build_driver=koji',
      'build_target=t\nkoji_exe=bin/koji',
      'kojibuild_driver',
      'koji_exe',
      'neither a program name',
    ],
    ['build_driver=koji', 'build_target=--scratch', 'kojibuild_driver', 'build_target', 'starts with "-"'],
    [
      'build_driver=koji',
      'build_target=t\nkrb_principal=me@X',
      'kojibuild_driver',
      'krb_keytab',
      'is required when krb_principal is set',
    ],
    ['build_driver=copr', 'coprid=trunk', 'coprbuild_driver', 'coprid', 'is not owner/project'],
  ])('with %s and %j, refuses naming the key', async (defaults, options, section, key, reason) => {
    const header = section === 'coprbuild_driver' ? '[coprbuild_driver]' : '[kojibuild_driver]';
    const { file, loaded } = load(defaults, `${header}\n${options}`);
    await expect(loaded).rejects.toBeInstanceOf(ConfigError);
    await expect(loaded).rejects.toThrow(`${file}: [${section}] ${key}: `);
    await expect(loaded).rejects.toThrow(reason);
  });
});
