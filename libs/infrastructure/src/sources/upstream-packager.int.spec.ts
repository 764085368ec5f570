import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BuildLog } from '../rpm/build-log.js';
import { UpstreamPackager, upstreamKind, type PackagedUpstream } from './upstream-packager.js';

const ENV = {
  PATH: process.env.PATH,
  LC_ALL: 'C',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'A',
  GIT_AUTHOR_EMAIL: 'a@example.org',
  GIT_COMMITTER_NAME: 'A',
  GIT_COMMITTER_EMAIL: 'a@example.org',
};

function repo(dir: string, files: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  execFileSync('git', ['-c', 'init.defaultBranch=master', 'init', '-q', dir], { env: { ...ENV, HOME: dir } });
  return commit(dir, files, 'first');
}

function commit(dir: string, files: Record<string, string>, message: string): string {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: dir, env: { ...ENV, HOME: dir }, encoding: 'utf8' });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  git('add', '-A');
  git('commit', '-q', '-m', message);
  return git('rev-parse', 'HEAD').trim();
}

const tag = (dir: string, name: string, at: string) =>
  execFileSync('git', ['tag', name, at], { cwd: dir, env: { ...ENV, HOME: dir } });

const PBR_FILES = {
  'setup.py': 'import setuptools\nsetuptools.setup(setup_requires=["pbr"], pbr=True)\n',
  'setup.cfg':
    '[metadata]\nname = pbr-greeting\nsummary = s\nauthor = A\nauthor_email = a@example.org\n\n[files]\npackages = greeting\n',
  'greeting/__init__.py': '',
};

describe('upstreamKind', () => {
  it.each([
    [['setup.py', 'README'], 'python'],
    [['setup.py', 'metadata.json'], null],
    [['x.gemspec', 'lib'], 'gem'],
    [['a.gemspec', 'b.gemspec'], null],
    [['Makefile'], null],
  ])('%j is %s', (names, kind) => {
    expect(upstreamKind(names)?.kind ?? null).toBe(kind);
  });
});

describe('UpstreamPackager', () => {
  let root: string;
  let n = 0;
  let work: string;
  let log: BuildLog;
  let packaged: PackagedUpstream | null;
  const packager = new UpstreamPackager();

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'dlrn-upstream-packager-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  beforeEach(() => {
    work = join(root, `work-${++n}`);
    mkdirSync(join(work, 'SOURCES'), { recursive: true });
    log = BuildLog.open(join(work, 'rpmbuild.log'));
    packaged = null;
  });
  afterEach(() => log.close());

  const open = (sourceDir: string, commitHash: string) =>
    packager.open({
      sourceDir,
      commit: commitHash,
      workDir: work,
      env: { ...ENV, HOME: work },
      log,
      timeoutMs: 60_000,
    });

  describe('when the upstream is a pbr project two commits after its tag', () => {
    let dir: string;
    let head: string;
    beforeAll(() => {
      dir = join(root, 'pbr');
      const first = repo(dir, PBR_FILES);
      tag(dir, '1.2.0', first);
      commit(dir, { 'greeting/a.py': 'a = 1\n' }, 'second');
      head = commit(dir, { 'greeting/b.py': 'b = 1\n' }, 'third');
      // DLRN deletes private-* tags before asking pbr: in the copy, never in the clone.
      tag(dir, 'private-9.9.9', head);
      // The working tree is never used: an uncommitted change stays out of the tarball.
      writeFileSync(join(dir, 'greeting', 'b.py'), 'uncommitted = 1\n');
    });

    it("takes pbr's version of the commit", async () => {
      packaged = await open(dir, head);
      expect(packaged?.kind).toBe('python');
      expect(await packaged!.version()).toBe('1.2.1.dev2');
    });

    it('makes the sdist, named as build_srpm.sh names it, from the commit alone', async () => {
      packaged = await open(dir, head);
      const made = await packaged!.make('0.20230110104845.abc1234', join(work, 'SOURCES'));
      expect(made).toEqual({
        tarball: 'pbr-greeting-1.2.1.dev2-0.20230110104845.abc1234.tar.gz',
        dlrnNvr: 'pbr-greeting-1.2.1.dev2-0.20230110104845.abc1234',
      });
      const tarball = join(work, 'SOURCES', made.tarball);
      const listing = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n');
      expect(listing).toContain('pbr-greeting-1.2.1.dev2/greeting/b.py');
      expect(listing).toContain('pbr-greeting-1.2.1.dev2/ChangeLog');
      const b = execFileSync('tar', ['xzOf', tarball, 'pbr-greeting-1.2.1.dev2/greeting/b.py'], { encoding: 'utf8' });
      expect(b).toBe('b = 1\n');
      // The upstream clone was not written to: no dist/, no egg-info, its tag still there.
      expect(readdirSync(dir).sort()).toEqual(['.git', 'greeting', 'setup.cfg', 'setup.py']);
      expect(execFileSync('git', ['tag', '-l', 'private-*'], { cwd: dir, encoding: 'utf8' })).toBe('private-9.9.9\n');
    });
  });

  describe("when the package's version-from names a branch with a newer tag", () => {
    it("merges it in the copy as DLRN does, so pbr counts that tag; the clone's HEAD stays", async () => {
      const dir = join(root, 'pbr-version-from');
      const first = repo(dir, PBR_FILES);
      tag(dir, '1.2.0', first);
      const head = commit(dir, { 'greeting/a.py': 'a = 1\n' }, 'second');
      const git = (...args: string[]) =>
        execFileSync('git', args, { cwd: dir, env: { ...ENV, HOME: dir }, encoding: 'utf8' }).trim();
      git('checkout', '-q', '-b', 'stable', first);
      tag(dir, '2.0.0', commit(dir, { 'greeting/s.py': 's = 1\n' }, 'stable'));
      git('checkout', '-q', 'master');
      packaged = await packager.open({
        sourceDir: dir,
        commit: head,
        workDir: work,
        env: { ...ENV, HOME: work },
        log,
        timeoutMs: 60_000,
        versionFrom: 'stable',
      });
      expect(await packaged!.version()).toMatch(/^2\.0\.1\.dev\d+$/);
      expect(git('rev-parse', 'HEAD')).toBe(head);
      await expect(
        packager.open({
          sourceDir: dir,
          commit: head,
          workDir: join(work, 'again'),
          env: ENV,
          log,
          timeoutMs: 60_000,
          versionFrom: 'nope',
        }),
      ).rejects.toThrow('version-from nope: no such commit');
    });
  });

  describe('when setup.py prints a version rpm must not read', () => {
    it('refuses it, naming setup.py --version', async () => {
      const dir = join(root, 'hostile');
      const head = repo(dir, { 'setup.py': 'print("warning first")\nprint("1.0%(id)")\n' });
      packaged = await open(dir, head);
      await expect(packaged!.version()).rejects.toThrow(/setup\.py --version's "1\.0%\(id\)"/);
    });
  });

  describe('when the upstream is a gem', () => {
    it('takes the gemspec version and builds the .gem, named with the release', async () => {
      const dir = join(root, 'gem');
      const head = repo(dir, {
        'hello-gem.gemspec':
          'Gem::Specification.new do |s|\n  s.name = "hello-gem"\n  s.version = "0.3.1"\n  s.summary = "s"\n  s.authors = ["A"]\n  s.files = ["lib/hello.rb"]\n  s.license = "MIT"\nend\n',
        'lib/hello.rb': 'puts 1\n',
      });
      packaged = await open(dir, head);
      expect(packaged?.kind).toBe('gem');
      expect(await packaged!.version()).toBe('0.3.1');
      const made = await packaged!.make('0.1.abc1234', join(work, 'SOURCES'));
      expect(made.tarball).toBe('hello-gem-0.3.1-0.1.abc1234.gem');
      expect(existsSync(join(work, 'SOURCES', made.tarball))).toBe(true);
      expect(readFileSync(join(work, 'rpmbuild.log'), 'utf8')).toContain('gem build hello-gem.gemspec');
    });
  });

  describe('when the upstream is a plain tree', () => {
    it('is null: the pipeline keeps git archive', async () => {
      const dir = join(root, 'plain');
      const head = repo(dir, { Makefile: 'all:\n' });
      expect(await open(dir, head)).toBeNull();
      expect(existsSync(join(work, 'upstream'))).toBe(false);
    });
  });
});
