import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpmBuildError } from '#domain/build/build.ports.js';
import { RpmbuildBuildDriver } from './rpmbuild.driver.js';
import { RpmBuildPipeline } from './rpm-build.pipeline.js';
import {
  buildRequest,
  distgitRepo,
  fixtureEnv,
  git,
  noarchSpec,
  rpmQuery,
  tempDir,
  type UpstreamFixture,
  upstreamRepo,
} from '../../../../test/support/rpm-build.fixtures.js';

let root: string;
let env: NodeJS.ProcessEnv;
let upstream: UpstreamFixture;
let outputs = 0;

beforeAll(() => {
  root = tempDir('dlrn-pipeline-');
  env = fixtureEnv(root);
  upstream = upstreamRepo(root, env);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const pipeline = (timeoutMs?: number) =>
  new RpmBuildPipeline(new RpmbuildBuildDriver(), {
    baseEnv: env,
    ...(timeoutMs === undefined ? {} : { commandTimeoutMs: timeoutMs }),
  });

/** A dist-git of its own and an empty output directory for one build. */
function fixture(files: Record<string, string>) {
  const dir = join(root, `case-${++outputs}`);
  mkdirSync(dir);
  const outputDir = join(dir, 'out');
  mkdirSync(outputDir);
  return { distgitDir: distgitRepo(dir, env, files), outputDir };
}

async function failure(promise: Promise<unknown>): Promise<RpmBuildError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RpmBuildError);
  return error as RpmBuildError;
}

/** The file names inside the source tarball packed in a source RPM. */
function tarballListing(srpm: string, tarball: string): { names: string[]; readme: string } {
  const dir = tempDir('dlrn-srpm-payload-');
  try {
    const payload = execFileSync('rpm2archive', ['-n'], { input: readFileSync(srpm) });
    execFileSync('tar', ['-xf', '-', '-C', dir], { input: payload });
    const inner = join(dir, tarball);
    const names = execFileSync('tar', ['-tzf', inner], { encoding: 'utf8' }).trim().split('\n');
    const top = names[0]!.split('/')[0]!;
    const readme = execFileSync('tar', ['-xzOf', inner, `${top}/README.md`], { encoding: 'utf8' });
    return { names, readme };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('when the commit is two commits past the 1.2.0 tag', () => {
  const sha7 = () => upstream.after[0].slice(0, 7);
  let out: { rpms: readonly string[]; nvr: string };
  let outputDir: string;

  beforeAll(async () => {
    const f = fixture({ 'dlrn-hello.spec': noarchSpec('dlrn-hello'), 'README.packaging': 'x\n' });
    outputDir = f.outputDir;
    out = await pipeline().build(
      buildRequest({ sourceDir: upstream.dir, commitHash: upstream.after[0], distgitDir: f.distgitDir, outputDir }),
    );
  });

  it('bumps the last version field as DLRN does and numbers the release 0.<date>.<sha7>, with the dist', () => {
    const nvr = `dlrn-hello-1.2.1-0.20230110104845.${sha7()}.el9`;
    expect(out.nvr).toBe(nvr);
    expect([...out.rpms].sort()).toEqual([`${nvr}.noarch.rpm`, `${nvr}.src.rpm`]);
    expect(rpmQuery(join(outputDir, `${nvr}.noarch.rpm`), '%{NAME}-%{VERSION}-%{RELEASE}')).toBe(nvr);
  });

  it('defines upstream_version, dlrn and dlrn_nvr for the spec', () => {
    const rpm = join(
      outputDir,
      out.rpms.find((r) => r.endsWith('.noarch.rpm'))!,
    );
    expect(rpmQuery(rpm, '%{DESCRIPTION}')).toBe(
      `upstream_version=1.2.1 dlrn=1 dlrn_nvr=dlrn-hello-1.2.1-0.20230110104845.${sha7()}`,
    );
    expect(rpmQuery(rpm, '[%{PROVIDES}\n]')).toContain('built-by-dlrn');
  });

  it("packs exactly the commit's tree, under the directory %setup expects, whatever the working tree holds", () => {
    const srpm = join(
      outputDir,
      out.rpms.find((r) => r.endsWith('.src.rpm'))!,
    );
    const tarball = `dlrn-hello-1.2.1-0.20230110104845.${sha7()}.tar.gz`;
    // rpm packs only what the spec names; README.packaging went to SOURCES but not into the SRPM.
    expect(rpmQuery(srpm, '[%{FILENAMES}\n]').trim().split('\n').sort()).toEqual([tarball, 'dlrn-hello.spec'].sort());
    const { names, readme } = tarballListing(srpm, tarball);
    const files = names.filter((n) => !n.endsWith('/')).map((n) => n.replace(/^dlrn-hello-1\.2\.1\//, ''));
    const tree = git(upstream.dir, env, 'ls-tree', '-r', '--name-only', upstream.after[0]).split('\n');
    expect(files.sort()).toEqual(tree.sort());
    expect(readme).toBe('hello\n');
    expect(readFileSync(join(upstream.dir, 'README.md'), 'utf8')).toBe('changed in the working tree\n');
    expect(git(upstream.dir, env, 'rev-parse', 'HEAD')).toBe(upstream.after[1]);
  });

  it('drops the old changelog, leaves the installed marker and logs the whole build to rpmbuild.log', () => {
    const srpm = join(
      outputDir,
      out.rpms.find((r) => r.endsWith('.src.rpm'))!,
    );
    expect(rpmQuery(srpm, '%{CHANGELOGTEXT}')).toBe('(none)');
    expect(existsSync(join(outputDir, 'installed'))).toBe(true);
    const log = readFileSync(join(outputDir, 'rpmbuild.log'), 'utf8');
    expect(log).toContain('+ rpmbuild -bs --nodeps');
    expect(log).toContain('+ rpmbuild --rebuild --nodeps');
    expect(log).toContain('--exclude=private-*');
  });
});

describe('when the commit is the tagged one', () => {
  it('builds the tag version unchanged', async () => {
    const f = fixture({ 'dlrn-hello.spec': noarchSpec('dlrn-hello', { prep: '%setup -q' }) });
    const out = await pipeline().build(buildRequest({ sourceDir: upstream.dir, commitHash: upstream.tagged, ...f }));
    expect(out.nvr).toBe(`dlrn-hello-1.2.0-0.20230110104845.${upstream.tagged.slice(0, 7)}.el9`);
  });
});

describe('when the source is a puppet module with metadata.json', () => {
  it('takes the version from metadata.json rather than from the tags', async () => {
    const dir = join(root, 'puppet');
    mkdirSync(dir);
    git(dir, env, 'init', '-q');
    writeFileSync(join(dir, 'metadata.json'), '{"name": "x-hello", "version": "4.0.0"}\n');
    git(dir, env, 'add', '-A');
    git(dir, env, 'commit', '-q', '-m', 'module');
    git(dir, env, 'tag', '3.0.0');
    const f = fixture({ 'dlrn-hello.spec': noarchSpec('dlrn-hello') });
    const commitHash = git(dir, env, 'rev-parse', 'HEAD');
    const out = await pipeline().build(buildRequest({ sourceDir: dir, commitHash, ...f }));
    expect(out.nvr).toBe(`dlrn-hello-4.0.0-0.20230110104845.${commitHash.slice(0, 7)}.el9`);
  });
});

describe('when the build environment says DLRN_KEEP_VERSION=1', () => {
  it("keeps the spec's Version and uses minor.date.hash numbering from a spec in distgit-path", async () => {
    const spec = noarchSpec('dlrn-hello', {
      prep: '%setup -q -n %{srcname}-%{version}',
      extra: '%global srcname hello',
    });
    const f = fixture({ 'packaging/rpm/dlrn-hello.spec': spec.replace('Version:        XXX', 'Version: 3.1.4') });
    const out = await pipeline().build(
      buildRequest({
        sourceDir: upstream.dir,
        commitHash: upstream.after[1],
        distgitDir: f.distgitDir,
        distgitPath: 'packaging/rpm',
        outputDir: f.outputDir,
        env: { DLRN_KEEP_VERSION: '1' },
        releaseNumbering: 'minor.date.hash',
        releaseMinor: '2',
      }),
    );
    expect(out.nvr).toBe(`dlrn-hello-3.1.4-2.20230110104845.${upstream.after[1].slice(0, 7)}.el9`);
  });
});

describe('when the build environment says DLRN_KEEP_SPEC_AS_IS=1', () => {
  it('builds the spec untouched, without a tarball or DLRN macros', async () => {
    const spec = noarchSpec('dlrn-hello', { prep: '' })
      .replace('Version:        XXX', 'Version: 5.0')
      .replace('Release:        XXX', 'Release: 7%{?dist}')
      .replace(/^Source0:.*\n/m, '');
    const f = fixture({ 'dlrn-hello.spec': spec });
    const out = await pipeline().build(
      buildRequest({
        sourceDir: upstream.dir,
        commitHash: upstream.after[0],
        ...f,
        env: { DLRN_KEEP_SPEC_AS_IS: '1' },
      }),
    );
    expect(out.nvr).toBe('dlrn-hello-5.0-7.el9');
    const rpm = join(f.outputDir, 'dlrn-hello-5.0-7.el9.noarch.rpm');
    expect(rpmQuery(rpm, '%{DESCRIPTION}')).toBe('upstream_version= dlrn= dlrn_nvr=');
  });
});

describe('when the build fails', () => {
  const request = (f: { distgitDir: string; outputDir: string }, extra = {}) =>
    buildRequest({ sourceDir: upstream.dir, commitHash: upstream.after[0], ...f, ...extra });

  it("reports a failing %build with DLRN's text and keeps the log", async () => {
    const f = fixture({ 'dlrn-hello.spec': noarchSpec('dlrn-hello', { build: 'echo compiling; exit 1' }) });
    const error = await failure(pipeline().build(request(f)));
    expect(error.notes).toBe('Error in build_rpm_wrapper for dlrn-hello: rpmbuild --rebuild exited with code 1');
    const log = readFileSync(join(f.outputDir, 'rpmbuild.log'), 'utf8');
    expect(log).toContain('Bad exit status');
    expect(log.trimEnd().endsWith(error.notes)).toBe(true);
    expect(existsSync(join(f.outputDir, 'installed'))).toBe(false);
  });

  it('names a spec without Name', async () => {
    const f = fixture({ 'dlrn-hello.spec': noarchSpec('dlrn-hello').replace(/^Name:.*\n/m, '') });
    const error = await failure(pipeline().build(request(f)));
    expect(error.notes).toBe(
      'Error in build_rpm_wrapper for dlrn-hello: spec file does not parse: no Name: tag in the preamble',
    );
  });

  it('names a Source missing from the dist-git', async () => {
    const f = fixture({ 'dlrn-hello.spec': noarchSpec('dlrn-hello', { extra: 'Source1: missing.conf' }) });
    const error = await failure(pipeline().build(request(f)));
    expect(error.notes).toBe('Error in build_rpm_wrapper for dlrn-hello: rpmbuild -bs exited with code 1');
    expect(readFileSync(join(f.outputDir, 'rpmbuild.log'), 'utf8')).toMatch(/missing\.conf: No such file/);
  });

  it('refuses a dist-git with two spec files', async () => {
    const f = fixture({ 'a.spec': noarchSpec('a'), 'b.spec': noarchSpec('b') });
    const error = await failure(pipeline().build(request(f)));
    expect(error.notes).toMatch(
      /^Error in build_rpm_wrapper for dlrn-hello: several \.spec files in .* \(a\.spec, b\.spec\)/,
    );
  });

  it('refuses a dist-git without a spec file', async () => {
    const f = fixture({ 'README.md': 'no spec\n' });
    const error = await failure(pipeline().build(request(f)));
    expect(error.notes).toMatch(/no \.spec file in /);
  });

  it('refuses a package name with a / before writing anything', async () => {
    const f = fixture({ 'dlrn-hello.spec': noarchSpec('dlrn-hello') });
    const outputDir = join(f.outputDir, 'never-created');
    const error = await failure(pipeline().build(request(f, { packageName: 'evil/../name', outputDir })));
    expect(error.notes).toMatch(/^Error in build_rpm_wrapper for evil\/\.\.\/name: invalid package name/);
    expect(existsSync(outputDir)).toBe(false);
    expect(readdirSync(f.outputDir)).toEqual([]);
  });

  it('names a commit that is not in the upstream clone', async () => {
    const f = fixture({ 'dlrn-hello.spec': noarchSpec('dlrn-hello') });
    const missing = 'deadbeef'.repeat(5);
    const error = await failure(pipeline().build(request(f, { commitHash: missing })));
    expect(error.notes).toBe(`Error in build_rpm_wrapper for dlrn-hello: commit ${missing} is not in ${upstream.dir}`);
  });

  it('kills a stuck build after the command time limit and says so', async () => {
    const f = fixture({ 'dlrn-hello.spec': noarchSpec('dlrn-hello', { build: 'sleep 60' }) });
    const started = Date.now();
    const error = await failure(pipeline(1500).build(request(f)));
    expect(error.notes).toBe(
      'Error in build_rpm_wrapper for dlrn-hello: rpmbuild --rebuild timed out after 1.5 s and was killed',
    );
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
