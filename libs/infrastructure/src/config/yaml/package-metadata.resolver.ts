import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PackageInfo } from '#domain/package/package-info.js';
import type { DlrnConfig } from '../ini/dlrn-config.js';
import { ConfigError } from '../shared/config.error.js';
import { loadInfoFiles, type InfoRepo } from './info-files.loader.js';
import { mergeInfoFiles } from './info.merger.js';
import { resolveMergedPackages } from './package.resolver.js';

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Anything with a scheme (`https://`, `file://`, `ssh://`) or scp-like `host:path` is a git URL. */
export function isGitUrl(repo: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/]+:/.test(repo);
}

/** A `repo` value that names a local directory: a path (relative to projects.ini) or file://. */
function localRepoPath(repo: string, iniDir: string): string | undefined {
  if (repo.startsWith('file://')) return fileURLToPath(repo);
  if (isGitUrl(repo)) return undefined;
  return isAbsolute(repo) ? repo : resolve(iniDir, repo);
}

/** Where the info files are read in place: `--info-repo`, else a `[<driver>] repo` naming a directory. */
export type InfoRepoLocation =
  | { readonly kind: 'directory'; readonly repo: InfoRepo }
  /** A git URL (file:// included) that a pass clones and refreshes (rdoinfo driver). */
  | { readonly kind: 'git'; readonly url: string };

/**
 * `--info-repo` wins; then `[<driver>] repo`: a plain path is read in place, a URL is a git
 * repository. `file://` is both: read in place at load (config check, API), cloned by a pass.
 */
export function locateInfoRepo(
  config: DlrnConfig,
  section: string,
  repo: string | null,
  infoRepo?: string,
  forPass = false,
): InfoRepoLocation {
  if (infoRepo !== undefined) {
    const dir = resolve(infoRepo);
    if (!isDirectory(dir))
      throw new ConfigError({ file: infoRepo, reason: 'info repo directory not found (--info-repo)' });
    return { kind: 'directory', repo: { dir, shown: infoRepo } };
  }
  const where = { file: config.configFileShown, section, key: 'repo' };
  if (repo === null) {
    throw new ConfigError({
      ...where,
      reason:
        'no package metadata to read: set it to the git URL of your rdoinfo repository or pass --info-repo DIR (DLRN would fetch rdoinfo from GitHub; this service does not)',
    });
  }
  if (isGitUrl(repo) && (forPass || !repo.startsWith('file://'))) return { kind: 'git', url: repo };
  const local = localRepoPath(repo, resolve(config.configFile, '..'))!;
  if (!isDirectory(local)) throw new ConfigError({ ...where, reason: `directory '${repo}' not found` });
  return { kind: 'directory', repo: { dir: local, shown: repo } };
}

/** The packages of the info files in `repo`, with the configured tag (and downstream tag) applied. */
export function readInfoRepoPackages(config: DlrnConfig, repo: InfoRepo): PackageInfo[] {
  const driver = config.default.pkginfoDriverName;
  const section = `${driver}_driver`;
  const options = driver === 'downstream' ? config.downstreamDriver : config.rdoinfoDriver;
  const docs = loadInfoFiles(repo, options.infoFiles, { file: config.configFileShown, section });
  const packages = resolveMergedPackages(mergeInfoFiles(docs), {
    tag: config.default.tags,
    extraTag: driver === 'downstream' ? config.downstreamDriver.downstreamTag : null,
    requiredKeys: driver === 'downstream' ? [config.downstreamDriver.downstreamDistgitKey] : [],
  });
  return packages;
}

/**
 * The packages as known at load, without touching the network (`config check`, the API, the
 * commands other than a build pass): the rdoinfo/distroinfo YAML read in place. A remote
 * rdoinfo `repo` is read from the clone an earlier pass left in `<datadir>/rdoinfo`, or gives
 * none yet; `gitrepo` and `local` find their packages at the start of each pass, so none here.
 */
export function resolvePackages(config: DlrnConfig, infoRepo?: string): PackageInfo[] {
  const driver = config.default.pkginfoDriverName;
  if (driver === 'gitrepo' || driver === 'local') return [];
  const section = `${driver}_driver`;
  const options = driver === 'rdoinfo' ? config.rdoinfoDriver : config.downstreamDriver;
  const location = locateInfoRepo(config, section, options.repo, infoRepo);
  if (location.kind === 'git') {
    const clone = rdoinfoCloneDir(config);
    if (!isDirectory(clone)) return [];
    return readInfoRepoPackages(config, { dir: clone, shown: clone });
  }
  return readInfoRepoPackages(config, location.repo);
}

/**
 * Where a pass clones a remote rdoinfo `repo`. DLRN leaves the clone to distroinfo, in its
 * cache (`cache_dir`, default `~/.distroinfo/cache`); we keep it with the other clones, so that
 * a datadir holds everything a builder reads: `<datadir>/rdoinfo`, or `<cache_dir>/rdoinfo`.
 */
export function rdoinfoCloneDir(config: DlrnConfig): string {
  // The downstream driver reads distroinfo too, from its own section's `cache_dir`.
  const driver = config.default.pkginfoDriverName === 'downstream' ? config.downstreamDriver : config.rdoinfoDriver;
  const cacheDir = driver.cacheDir;
  return cacheDir === null
    ? resolve(config.default.datadir, 'rdoinfo')
    : resolve(config.configFile, '..', cacheDir, 'rdoinfo');
}
