import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpmBuildError } from '#domain/build/build.ports.js';
import type { BuildDriver } from './build-driver.js';
import { MockBuildDriver } from './mock.driver.js';
import { RpmbuildBuildDriver } from './rpmbuild.driver.js';
import { RpmBuildPipeline } from './rpm-build.pipeline.js';
import { fakeMockEnv, installFakeMock, recordedRuns } from '../../../../test/support/fake-mock.js';
import {
  buildRequest,
  distgitRepo,
  fixtureEnv,
  git,
  noarchSpec,
  tempDir,
  writeFiles,
} from '../../../../test/support/rpm-build.fixtures.js';

/*
 * The attack of issue 13: git accepts `%`, `(`, `)`, `$`, `{`, `}` and `>` in tag names, and the
 * version DLRN derives from `git describe --tags` lands in the spec (`%define upstream_version`,
 * `Version:`). rpm expands `%(…)` with /bin/sh while it parses the spec, so on a spec parsed on
 * the host this tag appends to the marker file. `${IFS}` stands for the blank a tag cannot hold;
 * the marker's directory has no `-`, so that DLRN's version rules keep the whole command.
 */
let root: string;

/** The hostile tag, appending to `marker` when expanded. */
const hostileTag = (marker: string) => `9.10%(echo\${IFS}pwned>>${marker}).dev1`;

const TEMPLATE = `config_opts['root'] = 'centos-stream-9-x86_64'
config_opts['dnf.conf'] = """
[main]
"""
`;

beforeAll(() => {
  root = tempDir('dlrntag');
  mkdirSync(join(root, 'bin'));
  mkdirSync(join(root, 'data'));
  installFakeMock(join(root, 'bin'));
  mkdirSync(join(root, 'scripts'));
  writeFileSync(join(root, 'scripts', 'centos-stream-9.cfg'), TEMPLATE);
  writeFileSync(join(root, 'deps.repo'), '[deps]\nbaseurl=http://deps.example.org/\n');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let cases = 0;

/** An upstream whose only commit carries `tag`, a dist-git, an output and a record directory. */
function fixture(tag: string, spec = noarchSpec('dlrn-hello')) {
  const dir = join(root, `case${++cases}`);
  mkdirSync(dir);
  const env = fixtureEnv(dir);
  const upstream = join(dir, 'upstream');
  mkdirSync(upstream);
  git(upstream, env, 'init', '-q');
  writeFiles(upstream, { 'README.md': 'hello\n' });
  git(upstream, env, 'add', '-A');
  git(upstream, env, 'commit', '-q', '-m', 'first');
  git(upstream, env, 'tag', tag);
  const commitHash = git(upstream, env, 'rev-parse', 'HEAD');
  const record = join(dir, 'record');
  const outputDir = join(dir, 'out');
  for (const d of [record, outputDir, join(dir, 'data')]) mkdirSync(d);
  const request = buildRequest({
    sourceDir: upstream,
    commitHash,
    distgitDir: distgitRepo(dir, env, { 'dlrn-hello.spec': spec }),
    outputDir,
  });
  return { dir, env, record, outputDir, request, commitHash };
}

function mockDriver(dir: string): MockBuildDriver {
  return new MockBuildDriver({
    datadir: join(dir, 'data'),
    configdir: join(root, 'scripts'),
    target: 'centos-stream-9',
    reponame: 'delorean',
    baseurl: null,
    depsUrl: pathToFileURL(join(root, 'deps.repo')).href,
    installAfterBuild: true,
  });
}

/** The build's outcome: null when it succeeded. */
const outcome = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => null,
    (e: unknown) => e,
  );

async function failure(promise: Promise<unknown>): Promise<RpmBuildError> {
  const error = await outcome(promise);
  expect(error).toBeInstanceOf(RpmBuildError);
  return error as RpmBuildError;
}

const expectedNote = (tag: string) =>
  `Error in build_rpm_wrapper for dlrn-hello: upstream tag ${JSON.stringify(tag)} ` +
  'cannot be an RPM version: "%" is not allowed (letters, digits and . _ + ~ ^ - only)';

describe('when the nearest upstream tag holds a %(command)', () => {
  it('with the rpmbuild driver, fails the build naming the tag, and the command never runs', async () => {
    const marker = join(root, 'marker1');
    const f = fixture(hostileTag(marker));
    const pipeline = new RpmBuildPipeline(new RpmbuildBuildDriver(), { baseEnv: f.env });
    const error = await outcome(pipeline.build(f.request));
    expect(existsSync(marker)).toBe(false);
    expect(error).toBeInstanceOf(RpmBuildError);
    expect((error as RpmBuildError).notes).toBe(expectedNote(hostileTag(marker)));
    const log = readFileSync(join(f.outputDir, 'rpmbuild.log'), 'utf8');
    expect(log).not.toContain('+ rpmbuild');
    expect(log.trimEnd().endsWith((error as RpmBuildError).notes)).toBe(true);
  });

  it('with the mock driver, fails the build naming the tag before mock or rpmbuild is run', async () => {
    const marker = join(root, 'marker2');
    const f = fixture(hostileTag(marker));
    // The host's real rpmbuild stays on PATH: if anything parsed the spec here, the marker would appear.
    const env = { ...f.env, ...fakeMockEnv(join(root, 'bin'), f.record, 'ok') };
    const error = await outcome(new RpmBuildPipeline(mockDriver(f.dir), { baseEnv: env }).build(f.request));
    expect(existsSync(marker)).toBe(false);
    expect(error).toBeInstanceOf(RpmBuildError);
    expect((error as RpmBuildError).notes).toBe(expectedNote(hostileTag(marker)));
    expect(recordedRuns(f.record)).toEqual([]);
  });
});

describe('when mock is the build driver', () => {
  it('builds the source RPM inside mock (--buildsrpm --spec --sources): the spec is never expanded on the host', async () => {
    const probe = join(root, 'expanded-on-host');
    const spec = noarchSpec('dlrn-hello', { extra: `%global probe %(touch ${probe})` });
    const f = fixture('1.2.0', spec);
    const env = { ...f.env, ...fakeMockEnv(join(root, 'bin'), f.record, 'ok') };
    const out = await new RpmBuildPipeline(mockDriver(f.dir), { baseEnv: env }).build(f.request);

    expect(existsSync(probe)).toBe(false);
    const runs = recordedRuns(f.record);
    expect(runs.map((run) => run.argv.find((arg) => arg === '--buildsrpm' || arg === '--rebuild'))).toEqual([
      '--buildsrpm',
      '--rebuild',
    ]);
    const [srpmRun, rebuildRun] = runs as [(typeof runs)[0], (typeof runs)[0]];
    const config = join(f.dir, 'data', 'dlrn-1.cfg');
    const specArg = srpmRun.argv[srpmRun.argv.indexOf('--spec') + 1]!;
    const sourcesArg = srpmRun.argv[srpmRun.argv.indexOf('--sources') + 1]!;
    expect(srpmRun.argv.slice(0, 3)).toEqual(['-v', '-r', config]);
    expect(specArg.endsWith('/SPECS/dlrn-hello.spec')).toBe(true);
    expect(sourcesArg.endsWith('/SOURCES')).toBe(true);
    const sha7 = f.commitHash.slice(0, 7);
    expect(srpmRun.spec).toContain('%define upstream_version 1.2.0\n');
    expect(srpmRun.spec).toContain(`Source0: dlrn-hello-1.2.0-0.20230110104845.${sha7}.tar.gz\n`);
    expect(srpmRun.sources).toEqual(['dlrn-hello-1.2.0-0.20230110104845.' + sha7 + '.tar.gz', 'dlrn-hello.spec']);
    const srpm = `dlrn-hello-1.2.0-0.20230110104845.${sha7}.el9.src.rpm`;
    expect(out.nvr).toBe(srpm.slice(0, -'.src.rpm'.length));
    expect(rebuildRun.argv.at(-1)).toBe(join(f.outputDir, srpm));
    expect(readFileSync(join(f.outputDir, 'rpmbuild.log'), 'utf8')).toContain('INFO: Finish: buildsrpm');
  });
});

/** Both drivers refuse the same values: the check is the pipeline's, before any driver runs. */
describe.each([
  ['rpmbuild', (): BuildDriver => new RpmbuildBuildDriver()],
  ['mock', (): BuildDriver => mockDriver(root)],
])('with the %s driver, a tag rpm would not take as a version', (_name, driver) => {
  it.each([
    ['1.0%{x}', '"%" is not allowed'],
    ['1.0@2', '"@" is not allowed'],
    ['1.0$(x)', '"$" is not allowed'],
  ])('fails the build on %s: %s', async (tag, why) => {
    const f = fixture(tag);
    const env = { ...f.env, ...fakeMockEnv(join(root, 'bin'), f.record, 'ok') };
    const error = await failure(new RpmBuildPipeline(driver(), { baseEnv: env }).build(f.request));
    expect(error.notes).toContain(`upstream tag ${JSON.stringify(tag)} cannot be an RPM version: ${why}`);
    expect(recordedRuns(f.record)).toEqual([]);
  });
});
