import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockBuildDriver } from '../rpm/mock.driver.js';
import { RpmBuildPipeline } from '../rpm/rpm-build.pipeline.js';
import { fakeMockEnv, installFakeMock, recordedRuns } from '../../../../test/support/fake-mock.js';
import {
  buildRequest,
  distgitRepo,
  fixtureEnv,
  git,
  tempDir,
  writeFiles,
} from '../../../../test/support/rpm-build.fixtures.js';

/*
 * Python and gem upstreams with the mock driver: as build_srpm.sh, their code (setup.py,
 * gemspecs) runs in the worker's chroot, never on the host. The fake mock's chroot is a
 * directory where it runs the command lines it is given, recording each.
 */
const TEMPLATE = `config_opts['root'] = 'centos-stream-9-x86_64'\nconfig_opts['dnf.conf'] = """\n[main]\n"""\n`;
const SPEC = (name: string, source0: string) =>
  `Name: ${name}\nVersion: XXX\nRelease: XXX\nSummary: s\nLicense: MIT\nBuildArch: noarch\nSource0: ${source0}\n%description\nd\n%files\n`;

let root: string;
beforeAll(() => {
  root = tempDir('dlrn-upstream-mock-');
  mkdirSync(join(root, 'bin'));
  installFakeMock(join(root, 'bin'));
  mkdirSync(join(root, 'scripts'));
  writeFileSync(join(root, 'scripts', 'centos-stream-9.cfg'), TEMPLATE);
  writeFileSync(join(root, 'deps.repo'), '[deps]\nbaseurl=http://deps.example.org/\n');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function buildInMock(name: string, upstreamFiles: Record<string, string>, spec: string, tag: string | null) {
  const dir = join(root, name);
  mkdirSync(dir);
  const env = fixtureEnv(dir);
  const upstream = join(dir, 'upstream');
  mkdirSync(upstream);
  git(upstream, env, '-c', 'init.defaultBranch=master', 'init', '-q');
  writeFiles(upstream, upstreamFiles);
  git(upstream, env, 'add', '-A');
  git(upstream, env, 'commit', '-q', '-m', 'first');
  if (tag !== null) git(upstream, env, 'tag', tag);
  writeFiles(upstream, { 'NEWS.txt': 'second\n' });
  git(upstream, env, 'add', '-A');
  git(upstream, env, 'commit', '-q', '-m', 'second');
  const commitHash = git(upstream, env, 'rev-parse', 'HEAD');
  const record = join(dir, 'record');
  const outputDir = join(dir, 'out');
  for (const d of [record, outputDir, join(dir, 'data')]) mkdirSync(d);
  const driver = new MockBuildDriver({
    datadir: join(dir, 'data'),
    configdir: join(root, 'scripts'),
    target: 'centos-stream-9',
    reponame: 'delorean',
    baseurl: null,
    depsUrl: pathToFileURL(join(root, 'deps.repo')).href,
    installAfterBuild: false,
  });
  const request = buildRequest({
    packageName: name,
    sourceDir: upstream,
    commitHash,
    distgitDir: distgitRepo(dir, env, { [`${name}.spec`]: spec }),
    outputDir,
  });
  const baseEnv = { ...env, ...fakeMockEnv(join(root, 'bin'), record, 'ok') };
  const output = await new RpmBuildPipeline(driver, { baseEnv }).build(request);
  return { output, runs: recordedRuns(record), release: `0.20230110104845.${commitHash.slice(0, 7)}` };
}

describe('a pbr upstream built with the mock driver', () => {
  let result: Awaited<ReturnType<typeof buildInMock>>;
  beforeAll(async () => {
    result = await buildInMock(
      'python-pbr-greeting',
      {
        'setup.py': 'import setuptools\nsetuptools.setup(setup_requires=["pbr"], pbr=True)\n',
        'setup.cfg':
          '[metadata]\nname = pbr-greeting\nsummary = s\nauthor = A\nauthor_email = a@example.org\n\n[files]\npackages = greeting\n',
        'greeting/__init__.py': '',
      },
      SPEC('python-pbr-greeting', 'pbr-greeting.tar.gz'),
      '1.2.0',
    );
  }, 120_000);

  it("runs build_srpm.sh's setup and python command lines in the chroot", () => {
    const actions = ['--clean', '--init', '-p', '--copyout', '--buildsrpm', '--rebuild'];
    const steps = result.runs.map((r) => r.chroot ?? r.argv.find((a) => actions.includes(a)));
    expect(steps).toEqual([
      '--clean',
      '--init',
      'git config --global --add safe.directory /var/tmp/pkgsrc',
      '-p',
      'cd /var/tmp/pkgsrc && rm -rf *.egg-info && (([ -x /usr/bin/python3 ] && python3 setup.py --version 2> /dev/null) || python setup.py --version 2> /dev/null)',
      'cd /var/tmp/pkgsrc && (([ -x /usr/bin/python3 ] && python3 setup.py sdist) || python setup.py sdist)',
      '--copyout',
      '--buildsrpm',
      '--rebuild',
    ]);
    // Each in the worker's configuration.
    for (const run of result.runs) expect(run.argv.at(run.argv.indexOf('-r') + 1)).toMatch(/\/dlrn-1\.cfg$/);
  });

  it("gives mock --buildsrpm the sdist and pbr's version", () => {
    const srpmRun = result.runs.find((r) => r.argv.includes('--buildsrpm'))!;
    expect(srpmRun.sources).toContain(`pbr-greeting-1.2.1.dev1-${result.release}.tar.gz`);
    expect(srpmRun.spec).toContain('%define upstream_version 1.2.1.dev1');
    expect(srpmRun.spec).toContain('Version: 1.2.1\n');
    expect(srpmRun.spec).toContain(`Source0: pbr-greeting-1.2.1.dev1-${result.release}.tar.gz`);
  });
});

describe('a gem upstream built with the mock driver', () => {
  it('takes the version and builds the .gem in the chroot', async () => {
    const result = await buildInMock(
      'rubygem-hello-gem',
      {
        'hello-gem.gemspec':
          'Gem::Specification.new do |s|\n  s.name = "hello-gem"\n  s.version = "0.3.1"\n  s.summary = "s"\n  s.authors = ["A"]\n  s.files = ["lib/hello.rb"]\n  s.license = "MIT"\nend\n',
        'lib/hello.rb': 'puts 1\n',
      },
      SPEC('rubygem-hello-gem', 'hello-gem.gem'),
      null,
    );
    const lines = result.runs.map((r) => r.chroot).filter((l): l is string => l !== null);
    expect(lines.slice(1)).toEqual([
      `cd /var/tmp/pkgsrc && ruby -e 'spec = Gem::Specification.load(ARGV[0]) or abort("cannot load #{ARGV[0]}"); puts spec.version' 'hello-gem.gemspec'`,
      "cd /var/tmp/pkgsrc && gem build 'hello-gem.gemspec' && mkdir -p /var/tmp/pkgsrc/dlrn-gem && mv *.gem /var/tmp/pkgsrc/dlrn-gem/",
    ]);
    const srpmRun = result.runs.find((r) => r.argv.includes('--buildsrpm'))!;
    expect(srpmRun.sources).toContain(`hello-gem-0.3.1-${result.release}.gem`);
    expect(srpmRun.spec).toContain('Version: 0.3.1\n');
  }, 120_000);
});
