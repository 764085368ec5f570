import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoRepositories, writeDemoConfig, type DemoPackage } from '../../apps/cli/src/demo/demo-example.js';
import { runDlrn, type CliRun } from '../support/cli.js';
import { INI, builtRepos, commitAll, git, successes, write } from '../support/package-sources.fixtures.js';

/*
 * Issue 17, item 4, through the `dlrn` CLI with real git repositories and rpmbuild: a package
 * with two `upstream` URLs. DLRN's getinfo walks each: a clone per URL under
 * `<datadir>/<package>/<last part of the URL>`, every commit of each a candidate of the package.
 */
describe('a package with two upstream repositories', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrnupstreamse2e'));
  let greeting: DemoPackage;
  let next: string;
  let configFile: string;
  let first: CliRun;
  let second: CliRun;
  let afterFirst: string[];

  const binaries = () =>
    builtRepos(join(root, 'data'))
      .flatMap((r) => r.rpms)
      .filter((f) => f.startsWith('python-greeting-') && f.endsWith('.noarch.rpm'));

  beforeAll(async () => {
    greeting = (await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400))[0]!;
    // A second upstream of the same package, tagged 3.0.0, its commit newer than the first's.
    next = join(root, 'git', 'upstream', 'greeting-next');
    mkdirSync(next, { recursive: true });
    git(next, 'init', '-q', '-b', 'master');
    write(next, { 'greeting.py': 'print("hello, next")\n' });
    commitAll(next, 'The next greeting');
    git(next, 'tag', '3.0.0');
    configFile = await writeDemoConfig(root, [greeting!]);
    const rdo = join(root, 'rdoinfo', 'rdo.yml');
    writeFileSync(
      rdo,
      readFileSync(rdo, 'utf8').replace(
        `  upstream: file://${greeting!.upstream}\n`,
        `  upstream:\n  - file://${greeting!.upstream}\n  - file://${next}\n`,
      ),
    );
    const args = ['--config-file', configFile, '--info-repo', join(root, 'rdoinfo')];
    first = await runDlrn(args);
    afterFirst = binaries();
    // The second pass: a new commit in the first upstream only, while the last build came from the second.
    write(greeting!.upstream, { 'greeting.py': 'print("hello again")\n' });
    commitAll(greeting!.upstream, 'Greet again');
    second = await runDlrn(args);
  }, 240_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('clones each URL under <datadir>/<package>/<last part of the URL>', () => {
    expect(existsSync(join(root, 'data', 'python-greeting', 'greeting', '.git'))).toBe(true);
    expect(existsSync(join(root, 'data', 'python-greeting', 'greeting-next', '.git'))).toBe(true);
  });

  it('builds the HEAD of each upstream, each versioned by its own tags', () => {
    expect(first.stderr).toBe('');
    expect(successes(first)).toEqual(['python-greeting', 'python-greeting']);
    const versions = afterFirst.map((f) => /^python-greeting-([^-]+)-/.exec(f)![1]);
    expect(versions.sort()).toEqual(['1.0.0', '3.0.0']);
  });

  it('records each build with the clone its commit came from', () => {
    const yamls = builtRepos(join(root, 'data')).map((r) =>
      readFileSync(join(root, 'data', 'repos', r.dir, 'commit.yaml'), 'utf8'),
    );
    expect(yamls.some((y) => y.includes(`/python-greeting/greeting-next`))).toBe(true);
    expect(yamls.some((y) => /python-greeting\/greeting\n/.test(y) || y.includes('/python-greeting/greeting '))).toBe(
      true,
    );
  });

  it('builds a new commit of the first upstream, the last build having come from the second', () => {
    expect(second.stderr).toBe('');
    expect(second.stdout).not.toContain('was rewritten');
    expect(successes(second)).toEqual(['python-greeting']);
    const versions = binaries().map((f) => /^python-greeting-([^-]+)-/.exec(f)![1]);
    expect(versions.sort()).toEqual(['1.0.0', '1.0.1', '3.0.0']);
  });

  it("bisects between two commits of one upstream in that upstream's clone", async () => {
    const [bad, good] = git(greeting.upstream, 'log', '-2', '--format=%H').split('\n');
    const run = await runDlrn([
      'bisect',
      '--config-file',
      configFile,
      '--info-repo',
      join(root, 'rdoinfo'),
      'python-greeting',
      good!,
      bad!,
    ]);
    // Both ends resolve in <datadir>/python-greeting/greeting (there is no <datadir>/python-greeting clone).
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`bisecting python-greeting: 1 commit(s) after ${good} up to ${bad}`);
    expect(run.stdout.trim().split('\n').at(-1)).toBe(bad);
  });
});

/*
 * The downstream driver walks the upstream URLs too (DLRN's downstream getinfo): the pinned
 * Source Sha is built from the clone that has it.
 */
describe('a downstream package with two upstream repositories', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrnupstreamsdse2e'));
  let run: CliRun;
  let pinned: string;

  const SPEC = `Name:           pkg-a
Version:        1.0
Release:        1%{?dist}
Summary:        two upstreams
License:        ASL 2.0
BuildArch:      noarch
Source0:        pkg-a-1.0.tar.gz

%description
Test package.

%prep
%setup -q

%build
test "$(cat marker.txt)" = "second"

%install
install -D -m 0644 marker.txt %{buildroot}%{_datadir}/pkg-a/marker.txt

%files
%{_datadir}/pkg-a/marker.txt

%changelog
`;

  beforeAll(async () => {
    const repo = (name: string, branch: string, files: Record<string, string>) => {
      const dir = join(root, 'git', name);
      mkdirSync(dir, { recursive: true });
      git(dir, 'init', '-q', '-b', branch);
      write(dir, files);
      return { dir, head: commitAll(dir, `${name} first`) };
    };
    repo('first', 'master', { 'marker.txt': 'first\n' });
    const second = repo('second', 'master', { 'marker.txt': 'second\n' });
    pinned = second.head;
    const distgit = repo('pkg-a-distgit', 'rpm-master', { 'pkg-a.spec': SPEC });
    repo('pkg-a-ds-distgit', 'rhos-main', { 'pkg-a.spec': SPEC });
    const when = Math.floor(Date.now() / 1000) - 3600;
    write(root, {
      'versions.csv': `Project,Source Repo,Source Sha,Dist Repo,Dist Sha,Status,Last Success Timestamp,Component,Extended Sha,Pkg NVR\npkg-a,file://${second.dir},${pinned},file://${distgit.dir},${distgit.head},SUCCESS,${when},None,None,pkg-a-1.0-1.el9\n`,
      'rdoinfo/rdo.yml': `releases: []\npackage-default:\n  maintainers:\n  - packager@example.org\npackages:\n- project: pkg-a\n  name: pkg-a\n  upstream:\n  - file://${join(root, 'git', 'first')}\n  - file://${second.dir}\n  master-distgit: file://${distgit.dir}\n  distgit: file://${join(root, 'git', 'pkg-a-ds-distgit')}\n`,
    });
    writeFileSync(
      join(root, 'projects.ini'),
      INI(
        'downstream',
        `[downstream_driver]\nrepo=${join(root, 'rdoinfo')}\ninfo_files=rdo.yml\nversions_url=file://${join(root, 'versions.csv')}\ndownstream_distro_branch=rhos-main\n`,
      ),
    );
    run = await runDlrn(['--config-file', join(root, 'projects.ini')]);
  }, 180_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('builds the pin from the clone that has it', () => {
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(`pkg-a ${pinned.slice(0, 7)} SUCCESS`);
    expect(existsSync(join(root, 'data', 'pkg-a', 'first', '.git'))).toBe(true);
    expect(existsSync(join(root, 'data', 'pkg-a', 'second', '.git'))).toBe(true);
  });
});
