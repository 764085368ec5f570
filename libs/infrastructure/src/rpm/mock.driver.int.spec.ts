import { existsSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RpmBuildError } from '#domain/build/build.ports.js';
import { findTransientError } from '#domain/build/transient-errors.js';
import { BuildLog } from './build-log.js';
import { MockBuildDriver, type MockBuildDriverOptions } from './mock.driver.js';
import { RpmBuildPipeline } from './rpm-build.pipeline.js';
import { fakeMockEnv, installFakeMock, recordedRun } from '../../../../test/support/fake-mock.js';
import {
  buildRequest,
  distgitRepo,
  fixtureEnv,
  noarchSpec,
  tempDir,
  upstreamRepo,
} from '../../../../test/support/rpm-build.fixtures.js';

const TEMPLATE = `config_opts['root'] = 'centos-stream-9-x86_64'
config_opts['target_arch'] = 'x86_64'
config_opts['dnf.conf'] = """
[main]
keepcache=1

[baseos]
baseurl=http://mirror.example.org/9-stream/BaseOS/x86_64/os/
"""
`;
const CURRENT_REPO = '[delorean]\nname=delorean-current\nbaseurl=https://trunk.example.org/repos/ab/cd/abcd_1234\n';
const DEPS_REPO = '[delorean-deps]\nname=deps\nbaseurl=http://deps.example.org/\n';

let root: string;
let bin: string;
let server: Server;
let httpBase: string;
let unreachable: string;

beforeAll(async () => {
  root = tempDir('dlrn-mock-');
  bin = join(root, 'bin');
  mkdirSync(bin);
  installFakeMock(bin);
  server = createServer((req, res) => {
    if (req.url === '/delorean-deps.repo') res.end(DEPS_REPO);
    else res.writeHead(404).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  httpBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const closed = createServer();
  await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
  unreachable = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise((done) => closed.close(done));
});
afterAll(async () => {
  await new Promise((done) => server.close(done));
  rmSync(root, { recursive: true, force: true });
});

let n = 0;
let caseDir: string;
let datadir: string;
let configdir: string;
let record: string;
let outputDir: string;

beforeEach(() => {
  caseDir = join(root, `case-${++n}`);
  datadir = join(caseDir, 'data');
  configdir = join(caseDir, 'scripts');
  record = join(caseDir, 'record');
  outputDir = join(caseDir, 'out');
  for (const dir of [datadir, configdir, record, outputDir]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(configdir, 'centos-stream-9.cfg'), TEMPLATE);
  writeFileSync(join(caseDir, 'deps.repo'), DEPS_REPO);
});

function driver(overrides: Partial<MockBuildDriverOptions> = {}): MockBuildDriver {
  return new MockBuildDriver({
    datadir,
    configdir,
    target: 'centos-stream-9',
    reponame: 'delorean',
    baseurl: 'https://trunk.example.org',
    depsUrl: pathToFileURL(join(caseDir, 'deps.repo')).href,
    installAfterBuild: true,
    ...overrides,
  });
}

/** Runs the driver alone on a placeholder source RPM (the fake mock does not read it). */
async function runDriver(mode: string, mock: MockBuildDriver, additionalOptions: string[] = []): Promise<string> {
  const srpmPath = join(outputDir, 'dlrn-hello-1.2.1-0.1.el9.src.rpm');
  writeFileSync(srpmPath, 'fake srpm');
  const log = BuildLog.open(join(outputDir, 'rpmbuild.log'));
  try {
    await mock.build({
      packageName: 'dlrn-hello',
      srpmPath,
      outputDir,
      dist: '.el9',
      workerId: 3,
      additionalOptions,
      env: fakeMockEnv(bin, record, mode),
      log,
      commandTimeoutMs: 30_000,
    });
  } finally {
    log.close();
  }
  return srpmPath;
}

const rpmbuildLog = () => readFileSync(join(outputDir, 'rpmbuild.log'), 'utf8');

describe('when mock builds the package', () => {
  it('runs mock -v -r <datadir>/dlrn-<worker>.cfg --resultdir <out> --postinstall [options] --rebuild <srpm>', async () => {
    const srpm = await runDriver('ok', driver(), ['-D', 'repo_bootstrap 1']);
    expect(recordedRun(record)?.argv).toEqual([
      '-v',
      '-r',
      join(datadir, 'dlrn-3.cfg'),
      '--resultdir',
      outputDir,
      '--postinstall',
      '-D',
      'repo_bootstrap 1',
      '--rebuild',
      srpm,
    ]);
    expect(existsSync(join(outputDir, 'installed'))).toBe(true);
    expect(rpmbuildLog()).toContain('INFO: Finish: rebuild srpm');
    expect(readFileSync(join(outputDir, 'mock.log'), 'utf8')).toContain('Wrote: /builddir/build/RPMS/');
  });

  it("gives mock the template with the worker's root, the current repo and the deps repo before the closing quotes", async () => {
    mkdirSync(join(datadir, 'repos', 'current'), { recursive: true });
    writeFileSync(join(datadir, 'repos', 'current', 'delorean.repo'), CURRENT_REPO);
    await runDriver('ok', driver());
    const expected = TEMPLATE.replace("x86_64'\n", "x86_64-3'\n").replace(/"""\n$/, `${CURRENT_REPO}${DEPS_REPO}"""\n`);
    expect(recordedRun(record)?.config).toBe(expected);
  });

  it('fetches the default deps repo from <baseurl>/delorean-deps.repo over HTTP', async () => {
    await runDriver('ok', driver({ baseurl: httpBase, depsUrl: null }));
    expect(recordedRun(record)?.config).toContain(`${DEPS_REPO}"""\n`);
  });

  it('only warns in the log when the deps repo cannot be fetched', async () => {
    await runDriver('ok', driver({ depsUrl: `${unreachable}/delorean-deps.repo`, fetchTimeoutMs: 2000 }));
    expect(recordedRun(record)?.config).toBe(TEMPLATE.replace("x86_64'\n", "x86_64-3'\n"));
    expect(rpmbuildLog()).toContain(`WARNING: Could not open ${unreachable}/delorean-deps.repo`);
  });

  it("leaves dlrn-<worker>.cfg untouched when its content has not changed, to keep mock's cache", async () => {
    const mock = driver();
    const log = BuildLog.open(join(outputDir, 'rpmbuild.log'));
    const path = await mock.prepareConfig(3, log);
    utimesSync(path, new Date(2001, 0, 1), new Date(2001, 0, 1));
    await mock.prepareConfig(3, log);
    expect(statSync(path).mtime.getFullYear()).toBe(2001);
    writeFileSync(join(configdir, 'centos-stream-9.cfg'), TEMPLATE.replace('keepcache=1', 'keepcache=0'));
    await mock.prepareConfig(3, log);
    log.close();
    expect(statSync(path).mtime.getFullYear()).not.toBe(2001);
  });

  it('leaves out --postinstall and the install check when install_after_build is off', async () => {
    await runDriver('install-warning', driver({ installAfterBuild: false }));
    expect(recordedRun(record)?.argv).not.toContain('--postinstall');
    expect(existsSync(join(outputDir, 'installed'))).toBe(true);
  });
});

describe('when mock fails', () => {
  it('throws, writes no installed marker and still appends mock.log to rpmbuild.log', async () => {
    await expect(runDriver('fail', driver())).rejects.toThrow('mock --rebuild exited with code 30');
    expect(existsSync(join(outputDir, 'installed'))).toBe(false);
    expect(rpmbuildLog()).toContain('error: Bad exit status from /var/tmp/rpm-tmp.x (%build)');
  });

  it('fails the install check on mock\'s "Failed install built packages" warning', async () => {
    await expect(runDriver('install-warning', driver())).rejects.toThrow('Failed to install built packages');
    expect(existsSync(join(outputDir, 'installed'))).toBe(false);
  });

  it.each([
    ['"""', '[deps]\nbaseurl=http://x/\n"""\nimport os; os.system("touch /tmp/pwned")\nx = """\n'],
    ['\\', '[deps]\nbaseurl=http://x/\\N{x}\n'],
  ])('refuses a deps repo holding %s, which would end the Python string, and never runs mock', async (found, deps) => {
    writeFileSync(join(caseDir, 'deps.repo'), deps);
    const url = pathToFileURL(join(caseDir, 'deps.repo')).href;
    await expect(runDriver('ok', driver())).rejects.toThrow(
      `${url} holds ${JSON.stringify(found)}, which would break out of the mock configuration's repository list`,
    );
    expect(recordedRun(record)).toBeNull();
  });

  it('refuses an extra -D option whose value holds a macro, before mock runs', async () => {
    await expect(runDriver('ok', driver(), ['-D', 'x %(touch /tmp/pwned)'])).rejects.toThrow(
      '"x %(touch /tmp/pwned)" cannot be an RPM option: "%" is not allowed',
    );
    expect(recordedRun(record)).toBeNull();
  });

  it('names a missing configuration template', async () => {
    await expect(runDriver('ok', driver({ target: 'nowhere' }))).rejects.toThrow(
      /cannot read the mock configuration template .*nowhere\.cfg/,
    );
    expect(recordedRun(record)).toBeNull();
  });
});

describe('when the pipeline builds with mock', () => {
  let upstream: ReturnType<typeof upstreamRepo>;
  let distgitDir: string;

  beforeAll(() => {
    const env = fixtureEnv(root);
    const dir = join(root, 'pipeline');
    mkdirSync(dir);
    upstream = upstreamRepo(dir, env);
    distgitDir = distgitRepo(dir, env, { 'dlrn-hello.spec': noarchSpec('dlrn-hello') });
  });

  const build = (mode: string) =>
    new RpmBuildPipeline(driver(), { baseEnv: fakeMockEnv(bin, record, mode) }).build(
      buildRequest({ sourceDir: upstream.dir, commitHash: upstream.after[0], distgitDir, outputDir, workerId: 3 }),
    );

  it('returns the source RPM and the RPMs mock left in the output directory', async () => {
    const out = await build('ok');
    expect([...out.rpms].sort()).toEqual([
      'dlrn-hello-1.2.1-0.1.el9.noarch.rpm',
      `dlrn-hello-1.2.1-0.20230110104845.${upstream.after[0].slice(0, 7)}.el9.src.rpm`,
    ]);
    expect(recordedRun(record)?.argv.at(-1)).toBe(join(outputDir, `${out.nvr}.src.rpm`));
  });

  it("leaves a download error in rpmbuild.log, where the caller's transient-error check finds it", async () => {
    const error = await build('transient').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpmBuildError);
    expect((error as RpmBuildError).notes).toBe(
      'Error in build_rpm_wrapper for dlrn-hello: mock --rebuild exited with code 30',
    );
    expect(findTransientError(rpmbuildLog())).toBe('Error downloading packages:');
  });

  it("reports a failed install check with DLRN's text", async () => {
    const error = await build('install-warning').catch((e: unknown) => e);
    expect((error as RpmBuildError).notes).toBe(
      'Error in build_rpm_wrapper for dlrn-hello: Failed to install built packages',
    );
    expect(findTransientError(rpmbuildLog())).toBeNull();
  });
});
