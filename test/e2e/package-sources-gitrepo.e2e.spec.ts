import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoRepositories, type DemoPackage } from '../../apps/cli/src/demo/demo-example.js';
import { runDlrn, type CliRun } from '../support/cli.js';
import { datadirEvents } from '../support/datadir-events.js';
import { INI, builtRepos, commitAll, git, successes, write } from '../support/package-sources.fixtures.js';

/*
 * Issue 17, item 3, through the `dlrn` CLI with real git repositories and rpmbuild: a gitrepo packaging repository with three package folders, one more in skip and one whose template renders no valid spec.
 */
describe('a gitrepo packaging repository with a folder per package', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrngitrepoe2e'));
  let packages: DemoPackage[];
  let run: CliRun;
  let status: CliRun;
  let first: string;
  let second: string;

  beforeAll(async () => {
    packages = await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400);
    const packaging = join(root, 'git', 'packaging');
    mkdirSync(packaging, { recursive: true });
    git(packaging, 'init', '-q', '-b', 'rpm-master');
    for (const [index, pkg] of packages.entries()) {
      const spec = readFileSync(join(pkg.distgit, `${pkg.name}.spec`), 'utf8');
      // One package names its upstream in the spec's URL:, the others in an `upstream` file.
      write(
        join(packaging, 'openstack', pkg.name),
        index === 0
          ? { [`${pkg.name}.spec`]: spec.replace('License:', `URL:            file://${pkg.upstream}\nLicense:`) }
          : { [`${pkg.name}.spec`]: spec, upstream: `file://${pkg.upstream}\n` },
      );
    }
    write(join(packaging, 'openstack', 'not-this-one'), {
      'not-this-one.spec': readFileSync(join(packages[0]!.distgit, `${packages[0]!.name}.spec`), 'utf8'),
      upstream: `file://${packages[0]!.upstream}\n`,
    });
    write(join(packaging, 'openstack', 'templated'), { 'templated.spec.j2': 'Name: {{ py2pkg("x") }}\n' });
    first = commitAll(packaging, 'All packages');
    write(join(packaging, 'openstack', packages[0]!.name), { 'README.md': 'notes\n' });
    second = commitAll(packaging, `Touch ${packages[0]!.name} only`);
    writeFileSync(
      join(root, 'projects.ini'),
      INI('gitrepo', `[gitrepo_driver]\nrepo=file://${packaging}\ndirectory=/openstack\nskip=not-this-one\n`),
    );
    run = await runDlrn(['--config-file', join(root, 'projects.ini')]);
    status = await runDlrn(['--config-file', join(root, 'projects.ini'), '--status']);
  }, 180_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('builds the three package folders, each from its upstream', () => {
    expect(run.stderr).toBe('');
    expect(successes(run)).toEqual(packages.map((p) => p.name).sort());
    expect(run.code).toBe(0);
    const rpms = builtRepos(join(root, 'data')).flatMap((r) => r.rpms);
    for (const pkg of packages)
      expect(rpms.some((rpm) => rpm.startsWith(`${pkg.name}-`) && rpm.endsWith('.src.rpm'))).toBe(true);
  });

  it('publishes current with all three packages, the pass having built on the list the source gave', () => {
    const csv = readFileSync(join(root, 'data', 'repos', 'current', 'versions.csv'), 'utf8');
    const names = csv
      .trim()
      .split('\n')
      .slice(1)
      .map((row) => row.split(',')[0]);
    expect(names.sort()).toEqual(packages.map((p) => p.name).sort());
  });

  it('takes as distro hash the last commit touching each folder, not the HEAD of the repository', () => {
    const dirs = builtRepos(join(root, 'data')).map((r) => r.dir);
    expect(dirs.filter((d) => d.endsWith(`_${second.slice(0, 8)}`))).toHaveLength(1);
    expect(dirs.filter((d) => d.endsWith(`_${first.slice(0, 8)}`))).toHaveLength(2);
  });

  it('builds nothing from a folder in skip, and skips a folder whose rendered template is no spec, saying why', () => {
    expect(run.stdout).not.toContain('not-this-one');
    expect(run.stdout).toContain(
      'skipping templated: openstack/templated: templated.spec.j2: spec file does not parse: no Version: tag in the preamble',
    );
    expect(readFileSync(join(root, 'data', 'repos', 'skiplist.txt'), 'utf8')).toBe('templated\n');
    expect(existsSync(join(root, 'data', 'package_info', '.git'))).toBe(true);
  });

  it('records the refused folder as skipped, with its reason; a --run pass skips it too and records nothing', async () => {
    const skips = async () => (await datadirEvents(join(root, 'data'))).filter((e) => e.type === 'PackageSkipped');
    const recorded = await skips();
    expect(recorded.map((e) => e.data)).toEqual([
      {
        package: 'templated',
        reason: 'openstack/templated: templated.spec.j2: spec file does not parse: no Version: tag in the preamble',
      },
    ]);
    const command = await runDlrn(['--config-file', join(root, 'projects.ini'), '--run', 'true']);
    expect(command.stdout).toContain('skipping templated: ');
    expect(await skips()).toHaveLength(1);
  });

  it('answers --status for the packages the packaging repository holds', () => {
    expect(status.code).toBe(0);
    const lines = status.stdout.split('\n').filter((line) => line !== '');
    expect(lines.sort()).toEqual(packages.map((p) => `      rpm ${p.name} SUCCESS`).sort());
  });
});
