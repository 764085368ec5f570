import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { RpmBuildError, type RpmBuildRequest } from '#domain/build/build.ports.js';

/** Fixed identity and no user or system git config, so fixtures behave the same everywhere. */
export function fixtureEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    LC_ALL: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Fixture Author',
    GIT_AUTHOR_EMAIL: 'fixture@example.org',
    GIT_COMMITTER_NAME: 'Fixture Committer',
    GIT_COMMITTER_EMAIL: 'fixture@example.org',
  };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function git(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();
}

export function writeFiles(dir: string, files: Readonly<Record<string, string>>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

export interface UpstreamFixture {
  readonly dir: string;
  /** The commit tagged `1.2.0`. */
  readonly tagged: string;
  /** Two commits after the tag, oldest first. */
  readonly after: readonly [string, string];
}

/**
 * An upstream repo: a commit tagged `1.2.0` (plus a `private-9.9.9` and an `9.0.0-eol` tag that
 * must be ignored), two commits after it, then an untracked file and an uncommitted change in
 * the working tree, which no build may pick up.
 */
export function upstreamRepo(root: string, env: NodeJS.ProcessEnv): UpstreamFixture {
  const dir = join(root, 'upstream');
  mkdirSync(dir);
  git(dir, env, '-c', 'init.defaultBranch=main', 'init', '-q');
  writeFiles(dir, { 'README.md': 'hello\n', 'bin/hello.sh': '#!/bin/sh\necho hello\n', 'data/a.txt': 'a\n' });
  git(dir, env, 'add', '-A');
  git(dir, env, 'commit', '-q', '-m', 'first');
  git(dir, env, 'tag', '1.2.0');
  const tagged = git(dir, env, 'rev-parse', 'HEAD');
  writeFiles(dir, { 'data/b.txt': 'b\n' });
  git(dir, env, 'add', '-A');
  git(dir, env, 'commit', '-q', '-m', 'second');
  const second = git(dir, env, 'rev-parse', 'HEAD');
  git(dir, env, 'tag', 'private-9.9.9');
  git(dir, env, 'tag', '-a', '-m', 'eol', '9.0.0-eol');
  writeFiles(dir, { 'data/c.txt': 'c\n' });
  git(dir, env, 'add', '-A');
  git(dir, env, 'commit', '-q', '-m', 'third');
  const third = git(dir, env, 'rev-parse', 'HEAD');
  writeFiles(dir, { 'UNTRACKED.txt': 'not committed\n', 'README.md': 'changed in the working tree\n' });
  return { dir, tagged, after: [second, third] };
}

/** A noarch spec whose payload is the whole source tree, and whose description shows DLRN's macros. */
export function noarchSpec(name: string, options: { prep?: string; build?: string; extra?: string } = {}): string {
  return `Name:           ${name}
Version:        XXX
Release:        XXX
Summary:        DLRN test package
License:        ASL 2.0
BuildArch:      noarch
Source0:        https://example.org/%{name}/%{name}-%{upstream_version}.tar.gz
${options.extra ?? ''}
%if 0%{?dlrn}
Provides:       built-by-dlrn
%endif

%description
upstream_version=%{?upstream_version} dlrn=%{?dlrn} dlrn_nvr=%{?dlrn_nvr}

%prep
${options.prep ?? '%setup -q -n %{name}-%{upstream_version}'}

%build
${options.build ?? ''}

%install
mkdir -p %{buildroot}/usr/share/%{name}
cp -a . %{buildroot}/usr/share/%{name}/

%files
/usr/share/%{name}

%changelog
* Mon Jan 01 2024 Packager <packager@example.org> - 1.0-1
- Old entry that DLRN drops
`;
}

/** A dist-git clone holding `files` (the spec among them), committed. */
export function distgitRepo(root: string, env: NodeJS.ProcessEnv, files: Readonly<Record<string, string>>): string {
  const dir = join(root, 'distgit');
  mkdirSync(dir);
  git(dir, env, '-c', 'init.defaultBranch=rpm-master', 'init', '-q');
  writeFiles(dir, files);
  git(dir, env, 'add', '-A');
  git(dir, env, 'commit', '-q', '-m', 'packaging');
  return dir;
}

/** 2023-01-10 10:48:45 UTC, the release date of the example in DLRN's docs. */
export const DT_BUILD = 1673347725;

export function buildRequest(
  overrides: Partial<RpmBuildRequest> & Pick<RpmBuildRequest, 'sourceDir' | 'commitHash' | 'distgitDir' | 'outputDir'>,
): RpmBuildRequest {
  return {
    packageName: 'dlrn-hello',
    distgitPath: null,
    dtBuild: DT_BUILD,
    releaseNumbering: '0.date.hash',
    releaseMinor: '0',
    dist: '.el9',
    keepChangelog: false,
    workerId: 1,
    env: {},
    verbose: false,
    additionalOptions: [],
    ...overrides,
  };
}

/** `rpm -qp --queryformat` of a package file. */
export function rpmQuery(path: string, format: string): string {
  return execFileSync('rpm', ['-qp', '--queryformat', format, path], { encoding: 'utf8' });
}

/** The notes of a build that must fail with RpmBuildError; anything else (a success too) throws. */
export async function buildFailureNotes(build: Promise<unknown>): Promise<string> {
  try {
    await build;
  } catch (error) {
    if (error instanceof RpmBuildError) return error.notes;
    throw error;
  }
  throw new Error('the build succeeded');
}
