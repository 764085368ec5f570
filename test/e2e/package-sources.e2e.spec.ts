import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoRepositories, writeDemoConfig, type DemoPackage } from '../../apps/cli/src/demo/demo-example.js';
import { dlrnArgs, runDlrn, type CliRun } from '../support/cli.js';
import { gitTestEnv } from '../support/git-fixtures.js';

/*
 * Issue 17, item 3: the package sources other than an rdoinfo checkout, through the `dlrn` CLI
 * with real git repositories and rpmbuild: a gitrepo packaging repository, the local driver in
 * a dist-git directory, and rdoinfo cloned from a git URL and refreshed between passes.
 */
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, env: gitTestEnv(), encoding: 'utf8' }).trim();

function write(dir: string, files: Readonly<Record<string, string>>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

function commitAll(dir: string, message: string): string {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

/** The hashed repository directories (`<commit>_<distro8>`) under `repos/`, by package RPM name. */
function builtRepos(datadir: string): { dir: string; rpms: string[] }[] {
  const repos = join(datadir, 'repos');
  return readdirSync(repos, { recursive: true })
    .map(String)
    .filter((path) => path.split('/').length === 3 && /_[0-9a-f]{8}$/.test(path))
    .map((dir) => ({ dir, rpms: readdirSync(join(repos, dir)).filter((f) => f.endsWith('.rpm')) }));
}

function successes(run: CliRun): string[] {
  return [...run.stdout.matchAll(/\] (\S+) \S+ SUCCESS/g)].map((m) => m[1]!).sort();
}

/** `dlrn <args>` run from `cwd` (the local driver reads its working directory): every path absolute. */
function runDlrnIn(cwd: string, args: readonly string[]): Promise<CliRun> {
  // esm-register resolves the loader against the working directory: register it by absolute URL.
  const loader = pathToFileURL(resolve('node_modules/@swc-node/register/esm/esm.mjs')).href;
  const register = `data:text/javascript,import{register}from'node:module';register(${JSON.stringify(loader)});`;
  const argv = dlrnArgs(args).map((arg) =>
    arg === '@swc-node/register/esm-register' ? register : arg === 'apps/cli/src/main.ts' ? resolve(arg) : arg,
  );
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, argv, {
      cwd,
      env: { ...process.env, SWC_NODE_PROJECT: resolve('tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const INI = (driver: string, extra: string) => `[DEFAULT]
datadir=./data
baseurl=file:///unused
distro=rpm-master
source=master
target=centos9
reponame=delorean
build_driver=rpmbuild
pkginfo_driver=${driver}
${extra}`;

describe('a gitrepo packaging repository with a folder per package', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrngitrepoe2e'));
  let packages: DemoPackage[];
  let run: CliRun;
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

  it('takes as distro hash the last commit touching each folder, not the HEAD of the repository', () => {
    const dirs = builtRepos(join(root, 'data')).map((r) => r.dir);
    expect(dirs.filter((d) => d.endsWith(`_${second.slice(0, 8)}`))).toHaveLength(1);
    expect(dirs.filter((d) => d.endsWith(`_${first.slice(0, 8)}`))).toHaveLength(2);
  });

  it('builds nothing from a folder in skip, and skips a renderspec-only folder saying why', () => {
    expect(run.stdout).not.toContain('not-this-one');
    expect(run.stdout).toContain(
      'skipping templated: openstack/templated: only a renderspec template (templated.spec.j2): rendering .spec.j2 specs is not supported yet',
    );
    expect(readFileSync(join(root, 'data', 'repos', 'skiplist.txt'), 'utf8')).toBe('templated\n');
    expect(existsSync(join(root, 'data', 'package_info', '.git'))).toBe(true);
  });
});

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

describe('rdoinfo read from a git URL', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrnrdoinfoe2e'));
  let packages: DemoPackage[];
  let firstPass: CliRun;
  let secondPass: CliRun;

  beforeAll(async () => {
    packages = await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400);
    const configFile = await writeDemoConfig(root, packages);
    const rdoinfo = join(root, 'rdoinfo');
    const full = readFileSync(join(rdoinfo, 'rdo.yml'), 'utf8');
    // The third package's entry is committed between the passes.
    const [head, third] = full.split(`- project: ${packages[2]!.project}\n`);
    git(rdoinfo, 'init', '-q', '-b', 'master');
    writeFileSync(join(rdoinfo, 'rdo.yml'), head!);
    commitAll(rdoinfo, 'Two packages');
    const ini = readFileSync(configFile, 'utf8').replace(
      '[rdoinfo_driver]\n',
      `[rdoinfo_driver]\nrepo=file://${rdoinfo}\n`,
    );
    writeFileSync(configFile, ini);
    firstPass = await runDlrn(['--config-file', configFile]);
    writeFileSync(join(rdoinfo, 'rdo.yml'), `${head!}- project: ${packages[2]!.project}\n${third!}`);
    commitAll(rdoinfo, 'A third package');
    secondPass = await runDlrn(['--config-file', configFile]);
  }, 180_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('clones it into <datadir>/rdoinfo and builds its packages', () => {
    expect(firstPass.stderr).toBe('');
    expect(successes(firstPass)).toEqual([packages[0]!.name, packages[1]!.name].sort());
    expect(firstPass.code).toBe(0);
    expect(existsSync(join(root, 'data', 'rdoinfo', '.git'))).toBe(true);
  });

  it('fetches it on the next pass and builds the package added meanwhile', () => {
    expect(secondPass.stderr).toBe('');
    expect(successes(secondPass)).toEqual([packages[2]!.name]);
    expect(secondPass.code).toBe(0);
  });
});
