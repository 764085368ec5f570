import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDlrn } from '../support/cli.js';

const run = promisify(execFile);
const HEADER =
  'Project,Source Repo,Source Sha,Dist Repo,Dist Sha,Status,Last Success Timestamp,Component,Extended Sha,Pkg NVR';

async function git(cwd: string, args: string[], date?: number): Promise<string> {
  const stamp = date === undefined ? {} : { GIT_AUTHOR_DATE: `${date} +0000`, GIT_COMMITTER_DATE: `${date} +0000` };
  const env = {
    ...process.env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@example.org',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@example.org',
    ...stamp,
  };
  return (await run('git', args, { cwd, env })).stdout.trim();
}

/** Commits `files` to `repo` (created on `branch` when new) at `date`; returns the new hash. */
async function commit(repo: string, branch: string, files: Record<string, string>, date: number): Promise<string> {
  if (!existsSync(repo)) {
    await mkdir(repo, { recursive: true });
    await git(repo, ['init', '-q', '-b', branch]);
  }
  for (const [path, text] of Object.entries(files)) await writeFile(join(repo, path), text);
  await git(repo, ['add', '-A']);
  await git(repo, ['commit', '-q', '-m', `change at ${date}`], date);
  return git(repo, ['rev-parse', 'HEAD']);
}

/**
 * The upstream packaging: the build fails unless the source tree's marker.txt says what the
 * spec expects, so building any other source commit, or any other upstream dist-git commit
 * than the pinned pair, fails.
 */
function upstreamSpec(expected: string): string {
  return `%global expected ${expected}
Name:           pkg-a
Version:        1.0
Release:        1%{?dist}
Summary:        upstream summary
License:        ASL 2.0
BuildArch:      noarch
Source0:        pkg-a-1.0.tar.gz

%description
Test package.

%prep
%setup -q

%build
test "$(cat marker.txt)" = "%{expected}"

%install
install -D -m 0644 marker.txt %{buildroot}%{_datadir}/pkg-a/marker.txt

%files
%{_datadir}/pkg-a/marker.txt

%changelog
* Mon Jan 01 2024 Packager <p@example.org> - 1.0-1
- upstream
`;
}

describe('pkginfo_driver=downstream: rebuilding the pins of a versions.csv', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-downstream-'));
  const t0 = Math.floor(Date.now() / 1000) - 86_400;
  const csv = new Map<string, string>();
  let server: Server;
  let base = '';
  const repos = {
    source: join(root, 'git', 'pkg-a'),
    distgit: join(root, 'git', 'pkg-a-distgit'),
    dsDistgit: join(root, 'git', 'pkg-a-downstream-distgit'),
    dsSource: join(root, 'git', 'pkg-a-downstream-source'),
    other: join(root, 'git', 'pkg-b'),
  };
  const pins = { old: '', source: '', dist: '', sourceHead: '', distHead: '' };
  let configFile = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      const body = csv.get(req.url ?? '');
      if (body === undefined) res.writeHead(404).end();
      else res.end(body);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    pins.old = await commit(repos.source, 'master', { 'marker.txt': 'old\n' }, t0);
    pins.source = await commit(repos.source, 'master', { 'marker.txt': 'pinned\n' }, t0 + 60);
    pins.sourceHead = await commit(repos.source, 'master', { 'marker.txt': 'head\n' }, t0 + 120);
    pins.dist = await commit(repos.distgit, 'rpm-master', { 'pkg-a.spec': upstreamSpec('pinned') }, t0 + 60);
    pins.distHead = await commit(repos.distgit, 'rpm-master', { 'pkg-a.spec': upstreamSpec('head') }, t0 + 120);
    await commit(repos.dsDistgit, 'rhos-main', { 'pkg-a.spec': upstreamSpec('never-built'), README: 'ds\n' }, t0);
    await commit(repos.dsSource, 'ds-main', { 'patch.txt': 'downstream fix\n' }, t0);
    await commit(repos.other, 'master', { 'marker.txt': 'pinned\n' }, t0);

    const row = (name: string, source: string, dist: string, time: number) =>
      `${name},file://${repos.source},${source},file://${repos.distgit},${dist},SUCCESS,${time},None,None,${name}-1.0-1.el9`;
    // The later file overrides the earlier one: pkg-a is pinned to the middle commits.
    csv.set('/old/versions.csv', `${HEADER}\n${row('pkg-a', pins.old, pins.dist, t0)}\n`);
    csv.set('/new/versions.csv', `${HEADER}\n${row('pkg-a', pins.source, pins.dist, t0 + 60)}\n`);

    const pkg = (name: string, upstream: string) =>
      `- project: ${name}\n  name: ${name}\n  upstream: file://${upstream}\n  master-distgit: file://${repos.distgit}\n  distgit: file://${repos.dsDistgit}\n  ds-patches: file://${repos.dsSource}`;
    // The distroinfo repository is a git URL: each pass clones or fetches it into <datadir>/rdoinfo.
    await commit(
      join(root, 'git', 'rdoinfo'),
      'master',
      {
        'rdo.yml': `releases: []\npackage-default:\n  maintainers:\n  - packager@example.org\npackages:\n${pkg('pkg-a', repos.source)}\n${pkg('pkg-b', repos.other)}\n`,
      },
      t0,
    );
    configFile = join(root, 'projects.ini');
    await writeFile(
      configFile,
      `[DEFAULT]
datadir=./data
baseurl=file://${join(root, 'data', 'repos')}
distro=rpm-master
source=master
target=centos9
reponame=delorean
build_driver=rpmbuild
pkginfo_driver=downstream
keep_changelog=true

[downstream_driver]
repo=file://${join(root, 'git', 'rdoinfo')}
info_files=rdo.yml
versions_url=${base}/old/versions.csv,${base}/new/versions.csv
downstream_distro_branch=rhos-main
downstream_source_git_key=ds-patches
downstream_source_git_branch=ds-main
use_upstream_spec=true
downstream_spec_replace_list=^Summary:.*/Summary: rebuilt downstream
`,
    );
  }, 30_000);

  afterAll(async () => {
    await new Promise((done) => server.close(done));
    rmSync(root, { recursive: true, force: true });
  });

  const dlrn = () => runDlrn(['--config-file', configFile]);
  const dsHead = (repo: string) => git(repo, ['rev-parse', 'HEAD']);
  const repoDirOf = (extended: string) =>
    join(
      root,
      'data',
      'repos',
      pins.source.slice(0, 2),
      pins.source.slice(2, 4),
      `${pins.source}_${pins.dist.slice(0, 8)}_${extended.slice(0, 8)}_${extended.slice(41, 49)}`,
    );

  it('builds the pinned source and dist-git commits, not HEAD, and skips a package the CSV does not list', async () => {
    const result = await dlrn();
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(result.stdout).toMatch(/skipping pkg-b: not present in .*\/new\/versions\.csv/);
    expect(existsSync(join(root, 'data', 'rdoinfo', 'rdo.yml'))).toBe(true);
    expect(result.stdout).toContain(`pkg-a ${pins.source.slice(0, 7)} SUCCESS`);

    const extended = `${await dsHead(repos.dsDistgit)}_${await dsHead(repos.dsSource)}`;
    const repoDir = repoDirOf(extended);
    const rpm = readdirSync(repoDir).find((f) => f.endsWith('.noarch.rpm'))!;
    // use_upstream_spec copied the upstream spec; the replace rule rewrote its Summary.
    const { stdout: summary } = await run('rpm', ['-qp', '--qf', '%{SUMMARY}', join(repoDir, rpm)]);
    expect(summary).toBe('rebuilt downstream');

    const { stdout: yaml } = await run('cat', [join(repoDir, 'commit.yaml')]);
    expect(yaml).toContain(`extended_hash: ${extended}`);
    expect(yaml).toContain(`versions_csv: ${base}/new/versions.csv`);
    expect(yaml).toContain(`dt_commit: '${t0 + 60}'`);
    // report.html's Import Source column: the versions.csv URL without `/versions.csv`.
    const { stdout: report } = await run('cat', [join(root, 'data', 'repos', 'report.html')]);
    expect(report).toContain('<th>Import Source</th>');
    expect(report).toContain(`href="${base}/new"`);
  }, 60_000);

  it('builds nothing on a second pass with the same pins', async () => {
    const result = await dlrn();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(/pkg-a \w{7} (SUCCESS|FAILED)/);
  }, 60_000);

  it('rebuilds the same pins with a new extended hash after a downstream dist-git commit', async () => {
    await commit(repos.dsDistgit, 'rhos-main', { README: 'ds 2\n' }, t0 + 200);
    const result = await dlrn();
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(result.stdout).toContain(`pkg-a ${pins.source.slice(0, 7)} SUCCESS`);
    const extended = `${await dsHead(repos.dsDistgit)}_${await dsHead(repos.dsSource)}`;
    expect(readdirSync(repoDirOf(extended)).some((f) => f.endsWith('.noarch.rpm'))).toBe(true);
  }, 60_000);
});
