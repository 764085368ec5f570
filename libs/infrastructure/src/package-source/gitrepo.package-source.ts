import { lstat, readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { packageName } from '#domain/build/commit-ref.js';
import { GitRefreshError, type GitCommitInfo, type GitRepositories } from '#domain/package/git.ports.js';
import type { PackageInfo } from '#domain/package/package-info.js';
import {
  PackageSource,
  type ListedPackages,
  type PackageListRequest,
  type RefusedPackage,
} from '#domain/package/package-source.ports.js';
import type { DlrnConfig } from '#infrastructure/config/ini/dlrn-config.js';
import { GitCommandRunner } from '#infrastructure/git/git-command.runner.js';
import { renderedDistgitSpec } from '#infrastructure/renderspec/distgit-template.js';
import { lastChange } from './git-last-change.js';
import { isPlainVersion, readSpecFacts } from './spec-facts.js';

/** DLRN's placeholder maintainer for packages found in a packaging repository. */
export const PLACEHOLDER_MAINTAINER = 'test@example.com';

/** `<datadir>/package_info`: DLRN's clone of the `[gitrepo_driver] repo`. */
export function packageInfoDir(config: DlrnConfig): string {
  return join(config.default.datadir, 'package_info');
}

/** A `directory` entry as DLRN uses it (`strip('/')`), or null when it would leave the clone. */
export function packagingFolder(entry: string): string | null {
  const path = entry.replace(/^\/+|\/+$/g, '');
  if (path.split('/').some((part) => part === '..')) return null;
  return path;
}

/**
 * DLRN's GitRepoDriver (openstack/rpm-packaging style): one packaging repository cloned to
 * `<datadir>/package_info`, fetched and reset to the `distro` branch (master when that fails);
 * every sub-folder of each `directory`, minus `skip`, is a package named after its folder.
 *
 * Differences, each for a reason written in docs/dlrn-compatibility.md: the upstream is read
 * from an `upstream` file in the folder or the spec's `URL:` (DLRN probes opendev.org over
 * HTTP); hidden folders are not packages. A folder with a renderspec `.spec.j2` is read
 * through its rendering (in memory here; the build pass writes it, as DLRN's getinfo does).
 */
export class GitrepoPackageSource extends PackageSource {
  private readonly runner: GitCommandRunner;

  constructor(
    private readonly config: DlrnConfig,
    private readonly git: GitRepositories,
    runner?: GitCommandRunner,
  ) {
    super();
    this.runner = runner ?? new GitCommandRunner();
  }

  override async list(request: PackageListRequest): Promise<ListedPackages> {
    const options = this.config.gitrepoDriver;
    const dir = packageInfoDir(this.config);
    const branch = await this.refresh(options.repo!, dir, request);
    const packages: PackageInfo[] = [];
    const refused: RefusedPackage[] = [];
    const seen = new Set<string>();
    for (const entry of options.directory) {
      const folder = packagingFolder(entry)!;
      let names: string[];
      try {
        names = (await readdir(join(dir, folder), { withFileTypes: true }))
          .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
          .map((d) => d.name)
          .sort();
      } catch (error) {
        throw new Error(
          `[gitrepo_driver] directory ${entry}: cannot read ${join(dir, folder)}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      for (const name of names) {
        if (options.skip.includes(name) || seen.has(name)) continue;
        seen.add(name);
        const found = await this.packageOf(join(dir, folder, name), folder, name, branch);
        if (found.kind === 'refused') refused.push(found.refused);
        else packages.push(found.pkg);
      }
    }
    return { packages, refused };
  }

  override lastChange(dir: string, path: string): Promise<GitCommitInfo> {
    return lastChange(this.runner, dir, path);
  }

  /** The `distro` branch, or master when that cannot be checked out (DLRN's fallback). */
  private async refresh(url: string, dir: string, request: PackageListRequest): Promise<string> {
    const policy = { sourceBranch: null, fallbackToMaster: false, nonfallbackBranches: [] };
    const local = request.dev || request.local;
    const distro = this.config.default.distro ?? 'master';
    try {
      return (await this.git.refresh({ url, dir, branch: distro, local, policy })).branch;
    } catch (error) {
      if (!(error instanceof GitRefreshError) || distro === 'master') throw error;
      return (await this.git.refresh({ url, dir, branch: 'master', local, policy })).branch;
    }
  }

  private async packageOf(
    path: string,
    folder: string,
    name: string,
    branch: string,
  ): Promise<{ kind: 'ok'; pkg: PackageInfo } | { kind: 'refused'; refused: RefusedPackage }> {
    const refuse = (reason: string) => ({
      kind: 'refused' as const,
      refused: { name, reason: `${folder}/${name}: ${reason}` },
    });
    try {
      packageName(name);
    } catch (error) {
      return refuse((error as Error).message);
    }
    const files = await readdir(path);
    const specs = files.filter((f) => f.endsWith('.spec'));
    // DLRN's gitrepo driver always runs renderspec: a template wins over a spec beside it.
    let template: { readonly template: string; readonly text: string } | null;
    try {
      template = await renderedDistgitSpec({ dir: path, root: packageInfoDir(this.config), gitrepoPackage: name });
    } catch (error) {
      return refuse(`renderspec: ${(error as Error).message}`);
    }
    if (template === null && specs.length === 0) return refuse('no .spec file');
    if (template === null && specs.length > 1) {
      return refuse(`several .spec files (${specs.sort().join(', ')}); expected one`);
    }
    let facts;
    let upstreamFile = '';
    let reading = template ? basename(template.template) : specs[0]!;
    try {
      facts = readSpecFacts(template?.text ?? (await readRegularFile(join(path, reading))));
      reading = 'upstream';
      if (files.includes(reading)) upstreamFile = (await readRegularFile(join(path, reading))).split('\n')[0]!.trim();
    } catch (error) {
      return refuse(`${reading}: ${(error as Error).message}`);
    }
    const upstream = upstreamFile !== '' ? upstreamFile : facts.url;
    if (upstream === null) {
      return refuse("no upstream repository: write its git URL in an 'upstream' file or the spec's URL:");
    }
    if (/\s/.test(upstream) || upstream.startsWith('-'))
      return refuse(`upstream ${JSON.stringify(upstream)} is not a git URL`);
    const pkg: PackageInfo = {
      name,
      project: name,
      upstream,
      'master-distgit': `${this.config.gitrepoDriver.repo!}/${folder}/${name}`,
      'distgit-path': folder === '' ? name : `${folder}/${name}`,
      'distro-branch': branch,
      maintainers: [PLACEHOLDER_MAINTAINER],
    };
    if (!this.config.gitrepoDriver.useVersionFromSpec) return { kind: 'ok', pkg };
    const fromSpec =
      template === null
        ? facts.version
        : versionOfTemplate(await readRegularFile(join(path, basename(template.template))));
    if (fromSpec === null) return { kind: 'ok', pkg };
    const version = fromSpec.replaceAll('~', '');
    if (!isPlainVersion(version)) return refuse(`Version ${JSON.stringify(facts.version)} cannot be a branch name`);
    return { kind: 'ok', pkg: { ...pkg, 'source-branch': version } };
  }
}

/*
 * DLRN's use_version_from_spec on a template: the first line naming the version decides,
 * `{% set upstream_version = upstream_version('X') %}` or `Version:`. (Its third case,
 * `upstream_version()` read from a downloaded tarball, is refused by the renderer before this.)
 */
const SET_UPSTREAM_VERSION = /^\W*set upstream_version\D+([\w.]+).*/;

function versionOfTemplate(text: string): string | null {
  for (const line of text.split('\n')) {
    const set = SET_UPSTREAM_VERSION.exec(line);
    if (set) return set[1]!;
    if (line.startsWith('Version:')) return line.split(':')[1]!.trim();
  }
  return null;
}

/** Specs are small; a bigger file (or a link, which could point at any file of the builder) is refused. */
const MAX_FILE_BYTES = 1024 * 1024;

async function readRegularFile(path: string): Promise<string> {
  const stats = await lstat(path);
  if (!stats.isFile()) throw new Error('not a regular file');
  if (stats.size > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`);
  return readFile(path, 'utf8');
}
