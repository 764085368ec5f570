import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliRun } from '../support/cli.js';
import { INI, builtRepos, commitAll, git, runDlrnIn, write } from '../support/package-sources.fixtures.js';

/*
 * Issue 17, item 3, through the `dlrn` CLI with real git repositories and rpmbuild: the local driver run in a generated dist-git directory.
 */
describe('the local driver run in a dist-git directory', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrnlocale2e'));
  const distgit = join(root, 'localpkg');
  let run: CliRun;
  let again: CliRun;
  let head: string;

  beforeAll(async () => {
    mkdirSync(distgit);
    git(distgit, 'init', '-q', '-b', 'rpm-master');
    write(distgit, {
      'localpkg.spec': `Name:           localpkg
Version:        1.2.3
Release:        1%{?dist}
Summary:        A package built as its dist-git says
License:        MIT
BuildArch:      noarch

%description
Built by the local driver.

%install
mkdir -p %{buildroot}/usr/share/localpkg
echo local > %{buildroot}/usr/share/localpkg/marker

%files
/usr/share/localpkg
`,
    });
    head = commitAll(distgit, 'Package localpkg');
    mkdirSync(join(root, 'config'));
    writeFileSync(join(root, 'config', 'projects.ini'), INI('local', ''));
    const configFile = join(root, 'config', 'projects.ini');
    run = await runDlrnIn(distgit, ['--config-file', configFile]);
    again = await runDlrnIn(distgit, ['--config-file', configFile]);
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('builds the spec as it is, as the pseudo-commit <name>-<version> paired with the HEAD of the directory', () => {
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/\] localpkg localpk SUCCESS/);
    expect(run.code).toBe(0);
    const repos = builtRepos(join(root, 'config', 'data'));
    expect(repos.map((r) => r.dir)).toEqual([`lo/ca/localpkg-1.2.3_${head.slice(0, 8)}`]);
    expect(repos[0]!.rpms.sort()).toEqual([
      expect.stringMatching(/^localpkg-1\.2\.3-1.*\.noarch\.rpm$/),
      expect.stringMatching(/^localpkg-1\.2\.3-1.*\.src\.rpm$/),
    ]);
  });

  it('builds nothing the second time: that pair is built already', () => {
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to build');
  });
});
