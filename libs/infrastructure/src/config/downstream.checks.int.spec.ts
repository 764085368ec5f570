import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfiguration } from './index.js';

/** A downstream setup with one package; `extra` lines go to [downstream_driver]. */
function configWith(extra: string, versionsUrl = 'https://trunk.example.org/versions.csv'): string {
  const dir = mkdtempSync(join(tmpdir(), 'dlrn-downstream-config-'));
  writeFileSync(
    join(dir, 'rdo.yml'),
    'releases: []\npackages:\n- project: a\n  name: pkg-a\n  upstream: https://git.example.org/a\n  master-distgit: https://git.example.org/a-distgit\n  distgit: https://git.example.org/ds/a\n  maintainers: [p@example.org]\n',
  );
  const file = join(dir, 'projects.ini');
  writeFileSync(
    file,
    `[DEFAULT]\nbaseurl=http://x/\ntarget=t\nsource=master\ndistro=rpm-master\npkginfo_driver=downstream\n\n[downstream_driver]\nrepo=.\ninfo_files=rdo.yml\nversions_url=${versionsUrl}\ndownstream_distro_branch=rhos\n${extra}\n`,
  );
  return file;
}

describe('when [downstream_driver] holds values a pass could not use', () => {
  it.each([
    [
      'downstream_source_git_key=ds-patches',
      'downstream_source_git_branch',
      'is required when downstream_source_git_key',
    ],
    [
      'downstream_source_git_branch=main',
      'downstream_source_git_branch',
      'is set but downstream_source_git_key is not',
    ],
    ['downstream_spec_replace_list=a/b', 'downstream_spec_replace_list', 'applies only to the spec copied'],
    [
      'use_upstream_spec=true\ndownstream_spec_replace_list=^Release:.*/Release: 2,(broken/x',
      'downstream_spec_replace_list',
      'entry "(broken/x": the regex does not compile',
    ],
  ])('refuses %j, naming the option', async (lines, key, reason) => {
    const file = configWith(lines);
    const failure = loadConfiguration({ configFile: file });
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toThrow(`${file}: [downstream_driver] ${key}: `);
    await expect(failure).rejects.toThrow(reason);
  });
});

it('refuses a versions_url another scheme than http, https or file', async () => {
  const file = configWith('', 'https://a/versions.csv,ftp://mirror/versions.csv');
  await expect(loadConfiguration({ configFile: file })).rejects.toThrow(
    `${file}: [downstream_driver] versions_url: ftp://mirror/versions.csv: only http://, https://, file:// URLs and local paths are fetched`,
  );
});

describe('when [downstream_driver] is complete', () => {
  it('loads, with the package that has its downstream dist-git', async () => {
    const file = configWith(
      'downstream_source_git_key=distgit\ndownstream_source_git_branch=main\nuse_upstream_spec=true\ndownstream_spec_replace_list=^Release:.*/Release: 2',
    );
    const { config, packages } = await loadConfiguration({ configFile: file });
    expect(config.downstreamDriver.downstreamSpecReplaceList).toEqual(['^Release:.*/Release: 2']);
    expect(packages.map((p) => p.name)).toEqual(['pkg-a']);
  });
});
