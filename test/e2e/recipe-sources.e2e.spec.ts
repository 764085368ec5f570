import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDlrn, type CliRun } from '../support/cli.js';
import { fakeMockEnv, installFakeMock, recordedRuns } from '../support/fake-mock.js';
import { builtRepos, commitAll, git, write } from '../support/package-sources.fixtures.js';

/*
 * The rest of the build recipe (issue 17, item 4), through the CLI: URL sources fetched as
 * spectool would from a local HTTP server, into real rpmbuild builds; --use-public and --dev
 * adding the public current repo to mock's configuration (fake mock, which records it).
 */
const EXTRA = 'extra file, served over HTTP\n';
const PUBLIC_REPO = '[delorean-public]\nname=public-current\nbaseurl=https://public.example/current\nenabled=1\n';
const DEPS_REPO = '[delorean-deps]\nname=deps\nbaseurl=https://deps.example/\nenabled=1\n';

function spec(name: string, source1: string): string {
  return `Name: ${name}
Version: XXX
Release: XXX
Summary: recipe test package
License: MIT
BuildArch: noarch
Source0: ${name}.tar.gz
Source1: ${source1}

%description
d

%prep
%setup -q -n ${name}-%{upstream_version}

%build

%install
mkdir -p %{buildroot}/usr/share/${name}
cp %{SOURCE1} %{buildroot}/usr/share/${name}/extra.txt

%files
/usr/share/${name}
`;
}

describe('URL sources and the public repository in a build pass', () => {
  let root: string;
  let server: Server;
  let base: string;
  const requests: string[] = [];

  /** A package: upstream tagged 1.0.0 and a dist-git whose spec's Source1 is `source1`. */
  function createPackage(name: string, source1: string): { upstream: string; distgit: string } {
    const upstream = join(root, 'git', name);
    const distgit = join(root, 'git', `${name}-distgit`);
    for (const dir of [upstream, distgit]) {
      mkdirSync(dir, { recursive: true });
      git(dir, '-c', 'init.defaultBranch=master', 'init', '-q');
    }
    write(upstream, { 'README.md': `${name}\n` });
    commitAll(upstream, 'first');
    git(upstream, 'tag', '1.0.0');
    git(distgit, 'checkout', '-q', '-b', 'rpm-master');
    write(distgit, { [`${name}.spec`]: spec(name, source1) });
    commitAll(distgit, 'packaging');
    return { upstream, distgit };
  }

  /** A site directory with projects.ini and its rdoinfo; returns the projects.ini path. */
  function site(
    dir: string,
    options: { driver: string; baseurl: string | null; service?: string; defaults?: string },
    names: string[],
  ) {
    const root_ = join(root, dir);
    write(root_, {
      'projects.ini': `[DEFAULT]
datadir=./data
${options.baseurl === null ? '' : `baseurl=${options.baseurl}`}
${options.defaults ?? ''}
distro=rpm-master
source=master
target=centos9
reponame=delorean
build_driver=${options.driver}
pkginfo_driver=rdoinfo
scriptsdir=./scripts
[rdoinfo_driver]
info_files=rdo.yml
[service]
${options.service ?? ''}
`,
      'scripts/centos9.cfg': `config_opts['root'] = 'centos-stream-9-x86_64'\nconfig_opts['dnf.conf'] = """\n[main]\nkeepcache=1\n"""\n`,
      'rdoinfo/rdo.yml': `releases:
- name: demo
  branch: rpm-master
  repos:
  - name: el9
package-default:
  name: "%(project)s"
  maintainers:
  - packager@example.org
packages:
${names.map((n) => `- project: ${n}\n  upstream: file://${join(root, 'git', n)}\n  master-distgit: file://${join(root, 'git', `${n}-distgit`)}`).join('\n')}
`,
    });
    return root_;
  }

  const dlrn = (siteDir: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> =>
    runDlrn(['--config-file', join(siteDir, 'projects.ini'), '--info-repo', join(siteDir, 'rdoinfo'), ...args], {
      env,
    });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'dlrn-recipe-sources-'));
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      const body =
        req.url === '/files/extra.txt'
          ? EXTRA
          : req.url === '/current/delorean.repo'
            ? PUBLIC_REPO
            : req.url === '/delorean-deps.repo'
              ? DEPS_REPO
              : null;
      if (body === null) res.statusCode = 404;
      res.end(body ?? 'not here');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    createPackage('pkg-url', `${base}/files/extra.txt#/%{name}-extra.txt`);
    createPackage('pkg-missing', `${base}/files/%{name}.txt`);
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(root, { recursive: true, force: true });
  });

  describe('when a spec names an http Source1 and the host is allowed (rpmbuild driver)', () => {
    let run: CliRun;
    let siteDir: string;
    beforeAll(async () => {
      siteDir = site(
        'allowed',
        { driver: 'rpmbuild', baseurl: base, service: 'source_download_allowed_hosts=127.0.0.1' },
        ['pkg-url', 'pkg-missing'],
      );
      run = await dlrn(siteDir, ['--sequential']);
    }, 120_000);

    it('downloads it into the source RPM under the name rpm looks for, and builds with it', () => {
      expect(run.stdout).toMatch(/\] pkg-url \S+ SUCCESS/);
      const repo = builtRepos(join(siteDir, 'data')).find((r) => r.rpms.some((f) => f.startsWith('pkg-url-')))!;
      const dir = join(siteDir, 'data', 'repos', repo.dir);
      const srpm = repo.rpms.find((f) => f.endsWith('.src.rpm'))!;
      const inSrpm = execFileSync('rpm', ['-qpl', join(dir, srpm)], { encoding: 'utf8' }).split('\n');
      expect(inSrpm).toContain('pkg-url-extra.txt');
      const rpm = repo.rpms.find((f) => f.endsWith('.noarch.rpm'))!;
      const digests = execFileSync('rpm', ['-qp', '--qf', '[%{FILENAMES} %{FILEDIGESTS}\\n]', join(dir, rpm)], {
        encoding: 'utf8',
      });
      expect(digests).toContain(`/usr/share/pkg-url/extra.txt ${createHash('sha256').update(EXTRA).digest('hex')}`);
      expect(readFileSync(join(dir, 'rpmbuild.log'), 'utf8')).toContain(`Downloading: ${base}/files/extra.txt\n`);
    });

    it('fails the build whose URL answers 404, naming the tag, the URL and the status', () => {
      expect(run.stdout).toContain(`pkg-missing`);
      expect(run.stdout).toMatch(
        new RegExp(
          `\\] pkg-missing \\S+ FAILED .*Source1: GET ${base.replace(/\./g, '\\.')}/files/pkg-missing\\.txt: HTTP 404`,
        ),
      );
      expect(run.code).toBe(1);
    });
  });

  describe('when the source host is loopback and not listed', () => {
    it('refuses the download before connecting, and the build fails naming the key', async () => {
      const siteDir = site('refused', { driver: 'rpmbuild', baseurl: base }, ['pkg-url']);
      const before = requests.length;
      const run = await dlrn(siteDir, []);
      expect(run.stdout).toMatch(
        /\] pkg-url \S+ FAILED .*Source1: host 127\.0\.0\.1 refused: 127\.0\.0\.1 is a loopback address \(allow it in \[service\] source_download_allowed_hosts\)/,
      );
      expect(requests.slice(before)).toEqual([]);
    }, 120_000);
  });

  describe('with the mock driver (a fake mock that records its configuration)', () => {
    let siteDir: string;
    const runs: Record<string, ReturnType<typeof recordedRuns>> = {};
    beforeAll(async () => {
      siteDir = site('mock', { driver: 'mock', baseurl: base, service: 'source_download_allowed_hosts=127.0.0.1' }, [
        'pkg-url',
      ]);
      const bin = join(root, 'bin');
      mkdirSync(bin, { recursive: true });
      installFakeMock(bin);
      const pass = async (dir: string, flags: string[]) => {
        const record = join(root, `mock-record${flags.join('') || '-plain'}`);
        mkdirSync(record);
        const run = await dlrn(dir, ['--package-name', 'pkg-url', ...flags], fakeMockEnv(bin, record, 'ok'));
        expect(run.stderr).toBe('');
        runs[flags.join('') || 'plain'] = recordedRuns(record);
      };
      // A site of its own for the plain pass: the --use-public pass leaves nothing new to build.
      const plainSite = site(
        'mock-plain',
        { driver: 'mock', baseurl: base, service: 'source_download_allowed_hosts=127.0.0.1' },
        ['pkg-url'],
      );
      // --dev after --use-public: each run rewrites <datadir>/dlrn-1.cfg; --dev always rebuilds.
      await Promise.all([pass(plainSite, []), pass(siteDir, ['--use-public']).then(() => pass(siteDir, ['--dev']))]);
    }, 120_000);

    const configOf = (key: string) => runs[key]!.find((r) => r.argv.includes('--rebuild'))!.config;

    it('--use-public puts <baseurl>/current/delorean.repo last, after the deps repo, before the closing quotes', () => {
      const config = configOf('--use-public');
      const deps = config.indexOf('[delorean-deps]');
      const pub = config.indexOf('[delorean-public]');
      expect(deps).toBeGreaterThan(0);
      expect(pub).toBeGreaterThan(deps);
      expect(config.slice(pub)).toBe(`${PUBLIC_REPO}"""\n`);
      expect(config).toContain("config_opts['root'] = 'centos-stream-9-x86_64-1'");
    });

    it('--dev adds it as DLRN does', () => {
      expect(configOf('--dev')).toContain(PUBLIC_REPO);
    });

    it('a pass without either flag leaves it out', () => {
      expect(configOf('plain')).toContain('[delorean-deps]');
      expect(configOf('plain')).not.toContain('[delorean-public]');
    });

    it("fetches the URL source with the spec's own macros expanded, and hands it to mock --buildsrpm", () => {
      const srpmRun = runs['--use-public']!.find((r) => r.argv.includes('--buildsrpm'))!;
      expect(srpmRun.sources).toContain('pkg-url-extra.txt');
    });
  });

  describe('when --use-public cannot apply', () => {
    it('is refused with the rpmbuild driver, naming the driver', async () => {
      const siteDir = site('public-rpmbuild', { driver: 'rpmbuild', baseurl: base }, ['pkg-url']);
      const run = await dlrn(siteDir, ['--use-public']);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        "--use-public: the public current repository goes into mock's configuration, and build_driver=rpmbuild has none",
      );
      expect(readdirSync(siteDir)).not.toContain('data');
    });

    it('is refused with mock and deps_url but no baseurl, as --dev is', async () => {
      const siteDir = site(
        'public-nobase',
        { driver: 'mock', baseurl: null, defaults: `deps_url=${base}/delorean-deps.repo` },
        ['pkg-url'],
      );
      const [pub, dev] = await Promise.all([dlrn(siteDir, ['--use-public']), dlrn(siteDir, ['--dev'])]);
      expect(pub.code).toBe(1);
      expect(pub.stderr).toContain(
        '--use-public: baseurl is not set: the public repository is <baseurl>/current/delorean.repo',
      );
      expect(dev.code).toBe(1);
      expect(dev.stderr).toContain('--dev: baseurl is not set');
    });
  });
});
