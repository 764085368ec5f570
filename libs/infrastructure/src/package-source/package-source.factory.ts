import type { GitRepositories } from '#domain/package/git.ports.js';
import type { PackageSource } from '#domain/package/package-source.ports.js';
import type { DlrnConfig } from '#infrastructure/config/ini/dlrn-config.js';
import { ConfigError } from '#infrastructure/config/shared/config.error.js';
import { GitCliRepositories } from '#infrastructure/git/git-cli.repositories.js';
import { DownstreamPackageSource } from './downstream.package-source.js';
import { GitrepoPackageSource, packagingFolder } from './gitrepo.package-source.js';
import { LocalPackageSource } from './local.package-source.js';
import { RdoinfoPackageSource } from './rdoinfo.package-source.js';

export interface PackageSourceOptions {
  /** `--info-repo`. */
  readonly infoRepo?: string;
  /** The local driver's dist-git: the working directory of `dlrn`. */
  readonly cwd?: string;
  readonly git?: GitRepositories;
}

/** `[gitrepo_driver]` checked at load: what a pass would otherwise fail on, refused with its key. */
function checkGitrepoSection(config: DlrnConfig): void {
  const where = { file: config.configFileShown, section: 'gitrepo_driver' };
  const options = config.gitrepoDriver;
  if (options.repo === null || options.repo.trim() === '') {
    throw new ConfigError({
      ...where,
      key: 'repo',
      reason: 'is required by pkginfo_driver gitrepo: the packaging repository to clone',
    });
  }
  if (options.repo.startsWith('-'))
    throw new ConfigError({ ...where, key: 'repo', reason: `'${options.repo}' is not a git URL` });
  if (options.directory.length === 0) {
    throw new ConfigError({
      ...where,
      key: 'directory',
      reason: 'is required by pkginfo_driver gitrepo: the folder(s) holding one folder per package',
    });
  }
  for (const entry of options.directory) {
    if (packagingFolder(entry) === null) {
      throw new ConfigError({ ...where, key: 'directory', reason: `'${entry}' leaves the packaging repository` });
    }
  }
}

/**
 * The configured `pkginfo_driver` as a PackageSource, which a build pass asks for its packages
 * at start; null when the driver has no source yet and the list read at load is used as it is.
 */
export function createPackageSource(config: DlrnConfig, options: PackageSourceOptions = {}): PackageSource | null {
  const git = options.git ?? new GitCliRepositories();
  switch (config.default.pkginfoDriverName) {
    case 'rdoinfo':
      return new RdoinfoPackageSource(config, git, options.infoRepo);
    case 'gitrepo':
      checkGitrepoSection(config);
      return new GitrepoPackageSource(config, git);
    case 'local':
      return new LocalPackageSource(config, options.cwd ?? process.cwd());
    case 'downstream':
      return new DownstreamPackageSource(config, git, options.infoRepo);
    default:
      return null;
  }
}
