import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CommitRewrite } from '#domain/build/build.ports.js';
import { KojiBuildDriver, type KojiBuildDriverOptions } from './koji.driver.js';
import { RpmBuildPipeline } from './rpm-build.pipeline.js';
import { rhpkgCommitMessage } from './rhpkg.flow.js';
import { fakeFarmEnv, farmCalls, installFakeKoji, installFakeRhpkg } from '../../../../test/support/fake-build-farm.js';
import {
  buildFailureNotes,
  buildRequest,
  distgitRepo,
  fixtureEnv,
  git,
  noarchSpec,
  tempDir,
  upstreamRepo,
} from '../../../../test/support/rpm-build.fixtures.js';

/*
 * koji's rhpkg flow (use_rhpkg=true) through fake kinit, rhpkg and koji clients on PATH (none can
 * run here): each case clones the dist-git from its own bare origin, which `rhpkg commit -p` pushes to.
 */
let root: string;
let bin: string;
let env: NodeJS.ProcessEnv;
let upstream: ReturnType<typeof upstreamRepo>;
let origin: string;
let distroHash: string;

beforeAll(() => {
  root = tempDir('dlrn-rhpkg-');
  bin = join(root, 'bin');
  mkdirSync(bin);
  installFakeKoji(bin);
  installFakeRhpkg(bin);
  env = fixtureEnv(root);
  upstream = upstreamRepo(root, env);
  const distgit = distgitRepo(root, env, { 'dlrn-hello.spec': noarchSpec('dlrn-hello') });
  distroHash = git(distgit, env, 'rev-parse', 'HEAD');
  origin = join(root, 'origin.git');
  git(root, env, 'clone', '-q', '--bare', distgit, origin);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
let caseDir: string;
let record: string;
let outputDir: string;
let datadir: string;
let distgitDir: string;
beforeEach(() => {
  caseDir = join(root, `case-${++n}`);
  record = join(caseDir, 'record');
  outputDir = join(caseDir, 'out');
  datadir = join(caseDir, 'data');
  mkdirSync(record, { recursive: true });
  mkdirSync(datadir, { recursive: true });
  const caseOrigin = join(caseDir, 'origin.git');
  git(caseDir, env, 'clone', '-q', '--bare', origin, caseOrigin);
  distgitDir = join(datadir, 'dlrn-hello_distro');
  git(caseDir, env, 'clone', '-q', caseOrigin, distgitDir);
});

const OPTIONS: KojiBuildDriverOptions = {
  kojiExe: 'koji',
  krbPrincipal: 'dlrn/builder.example.org@EXAMPLE.ORG',
  krbKeytab: '/etc/dlrn/dlrn.keytab',
  scratchBuild: true,
  buildTarget: 'rhos-18.0-rhel-9-trunk-candidate',
  additionalKojiTags: [],
  useRhpkg: true,
  rhpkgTimeout: 60,
};

interface Run {
  readonly rewrites: CommitRewrite[];
  readonly result: Promise<unknown>;
}

function build(
  mode: string,
  options: Partial<KojiBuildDriverOptions> = {},
  extra: Record<string, string> = {},
  rewritten: (rewrite: CommitRewrite) => Promise<void> = () => Promise.resolve(),
  followed = true,
): Run {
  const rewrites: CommitRewrite[] = [];
  const result = new RpmBuildPipeline(new KojiBuildDriver({ ...OPTIONS, datadir, ...options }), {
    baseEnv: { ...fakeFarmEnv(bin, record, mode, extra), HOME: root },
    commandTimeoutMs: 60_000,
  }).build(
    buildRequest({
      sourceDir: upstream.dir,
      commitHash: upstream.after[0],
      distgitDir,
      outputDir,
      ...(followed
        ? {
            followedCommit: {
              distroHash,
              rewritten: (rewrite) => {
                rewrites.push(rewrite);
                return rewritten(rewrite);
              },
            },
          }
        : {}),
    }),
  );
  return { rewrites, result };
}

const calls = () => farmCalls(record);
const originHead = () => git(caseDir, env, '--git-dir', join(caseDir, 'origin.git'), 'log', '-1', '--format=%H %ct %B');

describe('when rhpkg imports, commits and builds', () => {
  it('logs in with the keytab, imports and commits the source RPM in the dist-git, and builds that commit', async () => {
    const run = build('ok');
    await run.result;
    const argv = calls().map((call) => [call.argv[0], call.argv[1], call.cwd]);
    expect(argv).toEqual([
      ['-k', '-t', outputDir],
      ['import', '--skip-diff', distgitDir],
      ['commit', '-p', distgitDir],
      ['build', '--skip-nvr-check', distgitDir],
      ['download-task', '--logs', outputDir],
    ]);
    expect(calls()[0]!.argv).toEqual(['-k', '-t', OPTIONS.krbKeytab, OPTIONS.krbPrincipal]);
    expect(calls()[3]!.argv).toEqual(['build', '--skip-nvr-check', '--scratch']);
    const srpm = readdirSync(outputDir).find((name) => name.endsWith('.src.rpm'))!;
    expect(calls()[1]!.argv[2]).toBe(join(outputDir, srpm));
    expect(readdirSync(outputDir)).toEqual(
      expect.arrayContaining(['installed', 'kerberos.log', 'rhpkgimport.log', 'rhpkgbuild.log', 'build_download.log']),
    );
    expect(readdirSync(outputDir).filter((name) => name.endsWith('.noarch.rpm'))).toHaveLength(1);
    expect(readFileSync(join(outputDir, 'rpmbuild.log'), 'utf8')).toContain('Created task: 12345');
  });

  it('pushes a commit whose message names the build time, the source and dist-git commits and the NVR', async () => {
    await build('ok').result;
    const srpm = readdirSync(outputDir).find((name) => name.endsWith('.src.rpm'))!;
    const message = originHead().split(' ').slice(2).join(' ');
    expect(message).toMatch(/^DLRN build at \d{4}-\d\d-\d\d-\d{6}\n\n/);
    expect(message).toContain(
      `Source SHA: ${upstream.after[0]}\nDist SHA: ${distroHash}\nNVR: ${srpm.replace(/\.src\.rpm$/, '')}`,
    );
  });

  it('reports the pushed commit as the new distro hash, with its commit time, before rhpkg builds', async () => {
    let callsAtRewrite = 0;
    const run = build('ok', {}, {}, () => {
      callsAtRewrite = calls().length;
      return Promise.resolve();
    });
    await run.result;
    const [hash, time] = originHead().split(' ');
    expect(run.rewrites).toEqual([{ hash: 'distro', distroHash: hash, dtDistro: Number(time), cause: 'rhpkg commit' }]);
    expect(hash).not.toBe(distroHash);
    expect(callsAtRewrite).toBe(3);
  });
});

describe('when the new commit cannot be recorded (another builder claimed it)', () => {
  it('fails the build with that reason and never runs rhpkg build', async () => {
    const run = build('ok', {}, {}, () => Promise.reject(new Error('commit X is being built by builder-2')));
    expect(await buildFailureNotes(run.result)).toBe(
      'Error in build_rpm_wrapper for dlrn-hello: commit X is being built by builder-2',
    );
    expect(calls().map((call) => call.argv[0])).not.toContain('build');
  });
});

describe('when kinit refuses the keytab', () => {
  it('fails the build naming kinit, and imports nothing', async () => {
    const run = build('ok', {}, { FAKE_KINIT_MODE: 'fail' });
    expect(await buildFailureNotes(run.result)).toBe(
      'Error in build_rpm_wrapper for dlrn-hello: kinit -k exited with code 1',
    );
    expect(calls()).toHaveLength(1);
    expect(readFileSync(join(outputDir, 'rpmbuild.log'), 'utf8')).toContain('Keytab contains no suitable keys');
    expect(run.rewrites).toEqual([]);
  });
});

describe('when rhpkg build outlives rhpkg_timeout', () => {
  it('cancels the task whose id rhpkg printed (cancel --force)', async () => {
    const run = build('timeout', { rhpkgTimeout: 2 });
    expect(await buildFailureNotes(run.result)).toBe(
      'Error in build_rpm_wrapper for dlrn-hello: rhpkg build timed out after 2 s and was killed; task 12345 cancelled',
    );
    expect(calls().at(-1)!.argv).toEqual(['cancel', '--force', '12345']);
  });

  it('finds the task in list-tasks --mine by target and source RPM when rhpkg printed no id, and cancels it', async () => {
    const run = build('silent-timeout', { rhpkgTimeout: 2 }, { FAKE_RHPKG_TARGET: OPTIONS.buildTarget });
    expect(await buildFailureNotes(run.result)).toMatch(
      /rhpkg build timed out after 2 s and was killed; task 12345 cancelled$/,
    );
    expect(
      calls()
        .slice(-2)
        .map((call) => call.argv),
    ).toEqual([
      ['list-tasks', '--mine', '--quiet'],
      ['cancel', '--force', '12345'],
    ]);
  });

  it('cancels nothing when no task of list-tasks --mine names the build target, and says so', async () => {
    const run = build('silent-timeout', { rhpkgTimeout: 2 }, { FAKE_RHPKG_TARGET: 'another-target' });
    expect(await buildFailureNotes(run.result)).toMatch(
      /rhpkg build timed out after 2 s and was killed; its task was not found \(list-tasks --mine\), nothing cancelled$/,
    );
    expect(calls().map((call) => call.argv[0])).not.toContain('cancel');
  });
});

describe('when the rhpkg build task fails', () => {
  it('fails the build with the task logs in rpmbuild.log, after the commit was reported', async () => {
    const run = build('fail');
    expect(await buildFailureNotes(run.result)).toBe(
      'Error in build_rpm_wrapper for dlrn-hello: rhpkg build exited with code 1',
    );
    expect(run.rewrites).toHaveLength(1);
    expect(readFileSync(join(outputDir, 'rpmbuild.log'), 'utf8')).toContain('Bad exit status from');
  });
});

describe('when the build is not a followed commit (a change build or a bisection step)', () => {
  it('refuses before anything touches the dist-git', async () => {
    const run = build('ok', {}, {}, undefined, false);
    expect(await buildFailureNotes(run.result)).toBe(
      'Error in build_rpm_wrapper for dlrn-hello: use_rhpkg commits to the dist-git: it builds followed commits only, not changes or bisection steps',
    );
    expect(calls()).toEqual([]);
    expect(git(distgitDir, env, 'rev-parse', 'HEAD')).toBe(distroHash);
  });
});

describe('with pkginfo_driver=downstream and use_upstream_spec', () => {
  it('discards the copied spec before the import, pulls the downstream source and rewrites the extended hash', async () => {
    const sourceOrigin = join(caseDir, 'downstream.git');
    git(caseDir, env, 'clone', '-q', '--bare', upstream.dir, sourceOrigin);
    const source = join(datadir, 'dlrn-hello_downstream');
    git(caseDir, env, 'clone', '-q', sourceOrigin, source);
    // What the upstream spec copy left in the dist-git: an uncommitted change to a tracked file.
    writeFileSync(join(distgitDir, 'dlrn-hello.spec'), `${noarchSpec('dlrn-hello')}\n# copied from upstream\n`);
    const run = build('ok', { downstream: { useUpstreamSpec: true } });
    await run.result;
    const [hash, time] = originHead().split(' ');
    const sourceHead = git(source, env, 'rev-parse', 'HEAD');
    expect(run.rewrites).toEqual([
      { hash: 'extended', extendedHash: `${hash}_${sourceHead}`, dtExtended: Number(time), cause: 'rhpkg commit' },
    ]);
    expect(git(distgitDir, env, 'status', '--porcelain')).toBe('');
    const importLog = readFileSync(join(outputDir, 'rhpkgimport.log'), 'utf8');
    const checkout = importLog.search(/^\+ git checkout -- '?\*'?$/m);
    expect(checkout).toBeGreaterThanOrEqual(0);
    expect(checkout).toBeLessThan(importLog.indexOf('+ rhpkg import'));
    expect(importLog).toMatch(/^\+ git pull$/m);
    expect(existsSync(join(outputDir, 'installed'))).toBe(true);
  });
});

describe('rhpkgCommitMessage', () => {
  it('names an NVR it cannot read from the file name XXX-XXX, as DLRN does', () => {
    expect(rhpkgCommitMessage(new Date(2026, 0, 2, 3, 4, 5), 'a', 'b', '/out/not-an-srpm')).toBe(
      'DLRN build at 2026-01-02-030405\n\nSource SHA: a\nDist SHA: b\nNVR: XXX-XXX\n',
    );
  });
});
