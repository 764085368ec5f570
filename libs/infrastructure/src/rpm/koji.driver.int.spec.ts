import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findTransientError } from '#domain/build/transient-errors.js';
import { BuildLog } from './build-log.js';
import { KojiBuildDriver, type KojiBuildDriverOptions } from './koji.driver.js';
import { RpmBuildPipeline } from './rpm-build.pipeline.js';
import { fakeFarmEnv, farmCalls, installFakeKoji } from '../../../../test/support/fake-build-farm.js';
import { installFakeMock, recordedRun } from '../../../../test/support/fake-mock.js';
import {
  buildFailureNotes,
  buildRequest,
  distgitRepo,
  fixtureEnv,
  noarchSpec,
  rpmQuery,
  tempDir,
  upstreamRepo,
} from '../../../../test/support/rpm-build.fixtures.js';

let root: string;
let bin: string;
let upstream: ReturnType<typeof upstreamRepo>;
let distgitDir: string;

beforeAll(() => {
  root = tempDir('dlrn-koji-');
  bin = join(root, 'bin');
  mkdirSync(bin);
  installFakeKoji(bin);
  installFakeKoji(bin, 'cbs');
  installFakeMock(bin);
  const env = fixtureEnv(root);
  upstream = upstreamRepo(root, env);
  distgitDir = distgitRepo(root, env, { 'dlrn-hello.spec': noarchSpec('dlrn-hello') });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
let record: string;
let outputDir: string;
beforeEach(() => {
  const caseDir = join(root, `case-${++n}`);
  record = join(caseDir, 'record');
  outputDir = join(caseDir, 'out');
  mkdirSync(record, { recursive: true });
});

const OPTIONS: KojiBuildDriverOptions = {
  kojiExe: 'koji',
  krbPrincipal: null,
  krbKeytab: null,
  scratchBuild: true,
  buildTarget: 'cloud9s-openstack-trunk-el9',
  additionalKojiTags: [],
};

function build(mode: string, options: Partial<KojiBuildDriverOptions> = {}, extra: Record<string, string> = {}) {
  return new RpmBuildPipeline(new KojiBuildDriver({ ...OPTIONS, ...options }), {
    baseEnv: fakeFarmEnv(bin, record, mode, extra),
    commandTimeoutMs: mode === 'timeout' || mode === 'hang' ? 1500 : 60_000,
  }).build(buildRequest({ sourceDir: upstream.dir, commitHash: upstream.after[0], distgitDir, outputDir }));
}

const rpmbuildLog = () => readFileSync(join(outputDir, 'rpmbuild.log'), 'utf8');
const calls = () => farmCalls(record).map((call) => call.argv);
const NOTES = 'Error in build_rpm_wrapper for dlrn-hello: ';

describe('when the koji task succeeds', () => {
  it('builds on the target, downloads the real RPMs and task logs into the output directory, and marks it installed', async () => {
    const out = await build('ok');
    const srpm = join(outputDir, `${out.nvr}.src.rpm`);
    expect(calls()).toEqual([
      ['build', '--wait', '--scratch', 'cloud9s-openstack-trunk-el9', srpm],
      ['download-task', '--logs', '12345'],
    ]);
    expect(farmCalls(record).every((call) => call.cwd === outputDir)).toBe(true);
    const rpm = 'dlrn-hello-1.2.1-0.20230110104845.' + upstream.after[0].slice(0, 7) + '.el9.noarch.rpm';
    expect([...out.rpms].sort()).toEqual([rpm, `${out.nvr}.src.rpm`]);
    expect(rpmQuery(join(outputDir, rpm), '%{NAME} %{ARCH}')).toBe('dlrn-hello noarch');
    expect(existsSync(join(outputDir, 'installed'))).toBe(true);
    for (const log of ['kojibuild.log', 'build_download.log', 'build.noarch.log', 'root.noarch.log'])
      expect(readdirSync(outputDir)).toContain(log);
    expect(readFileSync(join(outputDir, 'kojibuild.log'), 'utf8')).toContain('completed successfully');
    expect(rpmbuildLog()).toContain('Created task: 12345');
  });

  it('logs in with the principal and keytab, builds for real without --scratch and applies each extra tag', async () => {
    const out = await build('ok', {
      krbPrincipal: 'dlrn/trunk@EXAMPLE.ORG',
      krbKeytab: '/etc/dlrn/dlrn.keytab',
      scratchBuild: false,
      additionalKojiTags: ['cloud9s-testing', 'cloud9s-candidate'],
    });
    const auth = ['--principal', 'dlrn/trunk@EXAMPLE.ORG', '--keytab', '/etc/dlrn/dlrn.keytab'];
    expect(calls()).toEqual([
      [...auth, 'build', '--wait', 'cloud9s-openstack-trunk-el9', join(outputDir, `${out.nvr}.src.rpm`)],
      [...auth, 'tag-build', 'cloud9s-testing', out.nvr],
      [...auth, 'tag-build', 'cloud9s-candidate', out.nvr],
      ['download-task', '--logs', '12345'],
    ]);
    expect(readFileSync(join(outputDir, 'additional_tags.log'), 'utf8')).toContain('tagBuild (noarch) completed');
  });

  it('runs koji_exe given as an absolute path (cbs)', async () => {
    await build('ok', { kojiExe: join(bin, 'cbs') });
    expect(calls()[0]?.slice(0, 2)).toEqual(['build', '--wait']);
    expect(rpmbuildLog()).toContain(`+ ${join(bin, 'cbs')} build --wait`);
  });
});

describe('when the koji task fails', () => {
  it("fails the build, still downloads the task's logs and leaves no installed marker", async () => {
    expect(await buildFailureNotes(build('fail'))).toBe(`${NOTES}koji build exited with code 1`);
    expect(calls().map((argv) => argv[0])).toEqual(['build', 'download-task']);
    expect(readFileSync(join(outputDir, 'build.noarch.log'), 'utf8')).toContain('Bad exit status');
    expect(rpmbuildLog()).toContain('error: Bad exit status from /var/tmp/rpm-tmp.x (%build)');
    expect(existsSync(join(outputDir, 'installed'))).toBe(false);
    expect(findTransientError(rpmbuildLog())).toBeNull();
  });

  it("leaves the root log's download error in rpmbuild.log, where the transient-error check finds it", async () => {
    await buildFailureNotes(build('transient'));
    expect(findTransientError(rpmbuildLog())).toBe('DEBUG util.py:446:  Error downloading packages:');
  });

  it('fails when an extra tag cannot be applied', async () => {
    const notes = await buildFailureNotes(
      build('ok', { additionalKojiTags: ['cloud9s-testing'] }, { FAKE_FARM_TAG_MODE: 'fail' }),
    );
    expect(notes).toBe(`${NOTES}koji tag-build cloud9s-testing exited with code 1`);
    expect(existsSync(join(outputDir, 'installed'))).toBe(false);
  });
});

describe('when the koji client misbehaves', () => {
  it('cancels the task when the build outlives the command timeout', async () => {
    const notes = await buildFailureNotes(build('timeout'));
    expect(notes).toBe(`${NOTES}koji build timed out after 1.5 s and was killed; task 12345 cancelled`);
    expect(calls().at(-1)).toEqual(['cancel', '12345']);
    expect(existsSync(join(outputDir, 'installed'))).toBe(false);
  });

  it('cancels nothing when the client hangs before it printed a task id', async () => {
    expect(await buildFailureNotes(build('hang'))).toBe(
      `${NOTES}koji build timed out after 1.5 s and was killed; no task id was printed, nothing to cancel`,
    );
    expect(calls().map((argv) => argv[0])).toEqual(['build']);
  });

  it('fails with the signal when the client is killed', async () => {
    expect(await buildFailureNotes(build('killed'))).toBe(`${NOTES}koji build was killed by SIGKILL`);
    expect(existsSync(join(outputDir, 'installed'))).toBe(false);
  });

  it("fails with DLRN's message when the output holds no task id", async () => {
    expect(await buildFailureNotes(build('garbage'))).toBe(`${NOTES}Failed to find task id for the koji build`);
    expect(calls().map((argv) => argv[0])).toEqual(['build']);
  });

  it('names a koji_exe that is not on PATH', async () => {
    expect(await buildFailureNotes(build('ok', { kojiExe: 'brew' }))).toMatch(
      /^Error in build_rpm_wrapper for dlrn-hello: cannot run brew build: .*ENOENT/,
    );
  });
});

describe('when the koji options are wrong', () => {
  it.each([
    [{ kojiExe: './koji' }, 'koji_exe "./koji" is neither a program name (looked up on PATH) nor an absolute path'],
    [{ buildTarget: '--help' }, 'build_target "--help" starts with "-", which the client would read as an option'],
    [{ krbPrincipal: 'dlrn@EXAMPLE.ORG' }, 'krb_keytab is required when krb_principal is set'],
    [{ additionalKojiTags: ['ok', 'bad\nline'] }, 'additional_koji_tags "bad\\nline" holds a NUL or a line break'],
  ])('refuses %o before anything runs', (options, reason) => {
    expect(() => new KojiBuildDriver({ ...OPTIONS, ...options })).toThrow(`[kojibuild_driver] ${reason}`);
  });
});

describe('when fetch_mock_config is on', () => {
  it("builds the source RPM in mock, in koji's configuration for the target with the worker's root and the overrides", async () => {
    const datadir = join(outputDir, '..', 'data');
    const topdir = join(outputDir, '..', 'topdir');
    for (const dir of [datadir, join(topdir, 'SPECS'), join(topdir, 'SOURCES'), join(topdir, 'SRPMS')])
      mkdirSync(dir, { recursive: true });
    const spec = join(topdir, 'SPECS', 'dlrn-hello.spec');
    writeFileSync(spec, 'Name: dlrn-hello\nVersion: 1.2.1\nRelease: 0.1%{?dist}\n');
    const mockRecord = join(outputDir, '..', 'mock-record');
    mkdirSync(mockRecord);
    const driver = new KojiBuildDriver({
      ...OPTIONS,
      fetchMockConfig: true,
      arch: 'aarch64',
      mockBasePackages: 'basesystem rpm-build python3-devel',
      mockPackageManager: 'dnf',
      datadir,
    });
    const log = BuildLog.open(join(outputDir, '..', 'rpmbuild.log'));
    try {
      await driver.buildSrpm({
        packageName: 'dlrn-hello',
        specPath: spec,
        sourcesDir: join(topdir, 'SOURCES'),
        topdir,
        resultDir: join(topdir, 'SRPMS'),
        dist: '.el9',
        workerId: 2,
        env: { ...fakeFarmEnv(bin, record, 'ok'), FAKE_MOCK_RECORD: mockRecord, FAKE_MOCK_MODE: 'ok' },
        log,
        commandTimeoutMs: 30_000,
      });
    } finally {
      log.close();
    }
    const [fetch] = calls();
    expect(fetch?.slice(0, 6)).toEqual([
      'mock-config',
      '--arch',
      'aarch64',
      '--target',
      'cloud9s-openstack-trunk-el9',
      '-o',
    ]);
    const config = join(datadir, 'dlrn-2.cfg');
    expect(readdirSync(datadir)).toEqual(['dlrn-2.cfg']); // koji's own output file is removed
    const mock = recordedRun(mockRecord);
    expect(mock?.argv.slice(0, 3)).toEqual(['-v', '-r', config]);
    expect(mock?.argv).toContain('--buildsrpm');
    expect(mock?.config).toContain("config_opts['root'] = 'cloud9s-openstack-trunk-el9-build-4711-1234-2'\n");
    expect(mock?.config).toContain("config_opts['chroot_setup_cmd'] = 'install basesystem rpm-build python3-devel'\n");
    expect(mock?.config).toContain("config_opts['target_arch'] = 'aarch64'\n");
    expect(mock?.config.endsWith(`"""\nconfig_opts['package_manager'] = 'dnf'\n`)).toBe(true);
    expect(readdirSync(join(topdir, 'SRPMS'))).toEqual(['dlrn-hello-1.2.1-0.1.el9.src.rpm']);
  });

  it('refuses mock_base_packages that would break out of the Python string', () => {
    expect(
      () =>
        new KojiBuildDriver({
          ...OPTIONS,
          fetchMockConfig: true,
          arch: 'x86_64',
          datadir: '/d',
          mockBasePackages: "x' + __import__('os')",
        }),
    ).toThrow('[kojibuild_driver] mock_base_packages "x\'" is not a package or @group name');
  });
});
