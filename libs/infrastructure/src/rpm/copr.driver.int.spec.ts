import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findTransientError } from '#domain/build/transient-errors.js';
import { CoprBuildDriver } from './copr.driver.js';
import { RpmBuildPipeline } from './rpm-build.pipeline.js';
import { fakeFarmEnv, farmCalls, installFakeCopr } from '../../../../test/support/fake-build-farm.js';
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
  root = tempDir('dlrn-copr-');
  bin = join(root, 'bin');
  mkdirSync(bin);
  installFakeCopr(bin);
  const env = fixtureEnv(root);
  upstream = upstreamRepo(root, env);
  distgitDir = distgitRepo(root, env, { 'dlrn-hello.spec': noarchSpec('dlrn-hello') });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
let record: string;
let outputDir: string;
let tmpDir: string;
beforeEach(() => {
  const caseDir = join(root, `case-${++n}`);
  record = join(caseDir, 'record');
  outputDir = join(caseDir, 'out');
  tmpDir = join(caseDir, 'tmp');
  mkdirSync(record, { recursive: true });
  mkdirSync(tmpDir);
});

function build(mode: string, extra: Record<string, string> = {}) {
  return new RpmBuildPipeline(new CoprBuildDriver({ coprid: '@openstack/trunk', tmpDir }), {
    baseEnv: fakeFarmEnv(bin, record, mode, extra),
    commandTimeoutMs: mode === 'timeout' ? 1500 : 60_000,
    tmpDir,
  }).build(buildRequest({ sourceDir: upstream.dir, commitHash: upstream.after[0], distgitDir, outputDir }));
}

const rpmbuildLog = () => readFileSync(join(outputDir, 'rpmbuild.log'), 'utf8');
const calls = () => farmCalls(record).map((call) => call.argv);
const NOTES = 'Error in build_rpm_wrapper for dlrn-hello: ';

describe('when the copr build succeeds', () => {
  it("builds in the project, copies the chroot's RPMs and gzipped logs into the output directory and marks it installed", async () => {
    const out = await build('ok');
    const [build1, download] = calls();
    expect(build1).toEqual(['build', '@openstack/trunk', join(outputDir, `${out.nvr}.src.rpm`)]);
    expect(download?.slice(0, 2)).toEqual(['download-build', '-d']);
    expect(download?.[2]?.startsWith(join(tmpDir, 'dlrn-copr-'))).toBe(true);
    expect(download?.[3]).toBe('7001');
    const rpm = `dlrn-hello-1.2.1-0.20230110104845.${upstream.after[0].slice(0, 7)}.el9.noarch.rpm`;
    expect([...out.rpms].sort()).toEqual([rpm, `${out.nvr}.src.rpm`]);
    expect(rpmQuery(join(outputDir, rpm), '%{NAME}')).toBe('dlrn-hello');
    const files = readdirSync(outputDir);
    expect(files).toEqual(
      expect.arrayContaining(['builder-live.log.gz', 'backend.log.gz', 'coprbuild.log', 'installed']),
    );
    expect(files).not.toContain('results.json');
    expect(readdirSync(tmpDir)).toEqual([]); // the download directory is removed
    expect(rpmbuildLog()).toContain('Created builds: 7001');
  });
});

describe('when the copr build fails', () => {
  it("fails the build with the client's exit code, keeps the chroot logs and leaves no installed marker", async () => {
    expect(await buildFailureNotes(build('fail'))).toBe(`${NOTES}copr build exited with code 1`);
    expect(calls().map((argv) => argv[0])).toEqual(['build', 'download-build']);
    expect(readdirSync(outputDir)).toContain('builder-live.log.gz');
    expect(rpmbuildLog()).toContain('error: Bad exit status from /var/tmp/rpm-tmp.x (%build)');
    expect(existsSync(join(outputDir, 'installed'))).toBe(false);
    expect(findTransientError(rpmbuildLog())).toBeNull();
  });

  it("leaves the builder log's download error in rpmbuild.log, where the transient-error check finds it", async () => {
    await buildFailureNotes(build('transient'));
    expect(findTransientError(rpmbuildLog())).toBe('Error downloading packages:');
  });

  it('refuses a download holding more than one chroot directory', async () => {
    const notes = await buildFailureNotes(build('ok', { FAKE_FARM_DOWNLOAD: 'two-chroots' }));
    expect(notes).toBe(
      `${NOTES}copr download-build 7001 left 2 entries instead of one chroot directory: fedora-41-x86_64, fedora-rawhide-x86_64`,
    );
    expect(existsSync(join(outputDir, 'installed'))).toBe(false);
  });
});

describe('when the copr client misbehaves', () => {
  it('cancels the build when it outlives the command timeout', async () => {
    expect(await buildFailureNotes(build('timeout'))).toBe(
      `${NOTES}copr build timed out after 1.5 s and was killed; build 7001 cancelled`,
    );
    expect(calls().at(-1)).toEqual(['cancel', '7001']);
  });

  it('fails with the signal when the client is killed', async () => {
    expect(await buildFailureNotes(build('killed'))).toBe(`${NOTES}copr build was killed by SIGKILL`);
    expect(existsSync(join(outputDir, 'installed'))).toBe(false);
  });

  it("fails with DLRN's message when the output holds no build id", async () => {
    expect(await buildFailureNotes(build('garbage'))).toBe(`${NOTES}Failed to find build id for the copr build`);
    expect(calls().map((argv) => argv[0])).toEqual(['build']);
  });
});
