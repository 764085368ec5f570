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

/** A `repo` value that names a local directory: a path (relative to projects.ini) or file://. */
function localRepoPath(repo: string, iniDir: string): string | undefined {
  if (repo.startsWith('file://')) return fileURLToPath(repo);
  // Anything with a scheme or scp-like `host:path` is remote.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/]+:/.test(repo)) return undefined;
  return isAbsolute(repo) ? repo : resolve(iniDir, repo);
}

/**
 * Where to read the info files: `--info-repo`, else `[<driver>] repo` when it is a local
 * directory. DLRN would otherwise clone the repo or fetch rdoinfo from GitHub; this service
 * does no network access at load time, so it asks for --info-repo instead.
 */
function locateInfoRepo(config: DlrnConfig, section: string, repo: string | null, infoRepo?: string): InfoRepo {
  if (infoRepo !== undefined) {
    const dir = resolve(infoRepo);
    if (!isDirectory(dir))
      throw new ConfigError({ file: infoRepo, reason: 'info repo directory not found (--info-repo)' });
    return { dir, shown: infoRepo };
  }
  const where = { file: config.configFileShown, section, key: 'repo' };
  const local = repo === null ? undefined : localRepoPath(repo, resolve(config.configFile, '..'));
  if (repo !== null && local !== undefined) {
    if (!isDirectory(local)) throw new ConfigError({ ...where, reason: `directory '${repo}' not found` });
    return { dir: local, shown: repo };
  }
  throw new ConfigError({
    ...where,
    reason:
      repo === null
        ? 'no package metadata to read: pass --info-repo DIR (DLRN would fetch rdoinfo from GitHub; this service does not fetch)'
        : `'${repo}' is a remote repository and is not fetched: clone it and pass --info-repo DIR`,
  });
}

/**
 * The packages the configured pkginfo driver would build, from the rdoinfo/distroinfo YAML.
 * `gitrepo` and `local` discover packages from git at run time, so they have none here.
 */
export function resolvePackages(config: DlrnConfig, infoRepo?: string): PackageInfo[] {
  const driver = config.default.pkginfoDriverName;
  if (driver === 'gitrepo' || driver === 'local') return [];
  const section = `${driver}_driver`;
  const options = driver === 'rdoinfo' ? config.rdoinfoDriver : config.downstreamDriver;
  const repo = locateInfoRepo(config, section, options.repo, infoRepo);
  const docs = loadInfoFiles(repo, options.infoFiles, { file: config.configFileShown, section });
  return resolveMergedPackages(mergeInfoFiles(docs), {
    tag: config.default.tags,
    extraTag: driver === 'downstream' ? config.downstreamDriver.downstreamTag : null,
    requiredKeys: driver === 'downstream' ? [config.downstreamDriver.downstreamDistgitKey] : [],
  });
}
