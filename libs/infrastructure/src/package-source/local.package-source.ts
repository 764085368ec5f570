import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, readlink, rm, symlink } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { packageName } from '#domain/build/commit-ref.js';
import type { GitCommitInfo } from '#domain/package/git.ports.js';
import type { PackageInfo } from '#domain/package/package-info.js';
import { PackageSource, type ListedPackages, type PackageListRequest } from '#domain/package/package-source.ports.js';
import type { DlrnConfig } from '#infrastructure/config/ini/dlrn-config.js';
import { GitCommandRunner } from '#infrastructure/git/git-command.runner.js';
import { lastChange } from './git-last-change.js';
import { PLACEHOLDER_MAINTAINER } from './gitrepo.package-source.js';
import { isPlainVersion, readSpecFacts } from './spec-facts.js';

function inside(parent: string, path: string): boolean {
  const rel = relative(parent, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * DLRN's LocalDriver: the working directory is a dist-git (a git repository with one `.spec`);
 * the package is named after the spec file, its source branch is the spec's Version, and the
 * directory, uncommitted changes included, is copied for the build. DLRN copies it to
 * `<datadir>/<name>`; we copy it to `<datadir>/<name>_distro`, where every build reads its
 * dist-git (`<datadir>/<name>` stays the upstream clone's place, unused by this driver).
 */
export class LocalPackageSource extends PackageSource {
  private readonly runner: GitCommandRunner;

  constructor(
    private readonly config: DlrnConfig,
    private readonly cwd: string,
    runner?: GitCommandRunner,
  ) {
    super();
    this.runner = runner ?? new GitCommandRunner();
  }

  /** `--dev` and `--local` change nothing: the working directory is copied as it is. */
  override async list(_request?: PackageListRequest): Promise<ListedPackages> {
    const src = resolve(this.cwd);
    const fail = (reason: string): never => {
      throw new Error(`pkginfo_driver local: ${reason} (run dlrn in the dist-git directory)`);
    };
    if (!existsSync(join(src, '.git'))) fail(`${src} is not a git repository`);
    const specs = (await readdir(src)).filter((f) => f.endsWith('.spec')).sort();
    if (specs.length === 0) fail(`no .spec file in ${src}`);
    if (specs.length > 1) fail(`several .spec files in ${src} (${specs.join(', ')}); expected one`);
    const specFile = specs[0]!;
    const name = specFile.slice(0, -'.spec'.length);
    try {
      packageName(name);
    } catch (error) {
      fail(`${specFile}: ${(error as Error).message}`);
    }
    let version: string | null = null;
    try {
      version = readSpecFacts(await readFile(join(src, specFile), 'utf8')).version;
    } catch (error) {
      fail(`${specFile}: ${(error as Error).message}`);
    }
    if (version === null || !isPlainVersion(version)) {
      fail(
        `${specFile}: the Version ${JSON.stringify(version)} is not a plain RPM version (macros are not expanded here)`,
      );
    }
    const datadir = resolve(this.config.default.datadir);
    const dest = join(datadir, `${name}_distro`);
    if (inside(dest, src)) fail(`${src} is inside the copy the build reads (${dest})`);
    await rm(dest, { recursive: true, force: true });
    // A datadir inside the dist-git (datadir=./data beside the spec) is not copied into itself.
    await copyTree(src, dest, (path) => path === datadir);
    const pkg: PackageInfo = {
      name,
      project: name,
      upstream: 'Unknown',
      'master-distgit': dest,
      maintainers: [PLACEHOLDER_MAINTAINER],
      'source-branch': version!,
    };
    return { packages: [pkg], refused: [] };
  }

  override lastChange(dir: string, path: string): Promise<GitCommitInfo> {
    return lastChange(this.runner, dir, path);
  }
}

/** `shutil.copytree` as DLRN's local driver runs it: links copied as links, `skip` left out. */
async function copyTree(src: string, dest: string, skip: (path: string) => boolean): Promise<void> {
  await mkdir(dest, { recursive: true });
  for (const entry of await readdir(src, { withFileTypes: true })) {
    const from = join(src, entry.name);
    const to = join(dest, entry.name);
    if (skip(from)) continue;
    if (entry.isSymbolicLink()) await symlink(await readlink(from), to);
    else if (entry.isDirectory()) await copyTree(from, to, skip);
    else if (entry.isFile()) await copyFile(from, to);
  }
}
