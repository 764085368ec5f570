import type { GitRepositories } from '#domain/package/git.ports.js';
import type { GitCommitInfo } from '#domain/package/git.ports.js';
import {
  PackageSource,
  PackageSourceError,
  type ListedPackages,
  type PackageListRequest,
} from '#domain/package/package-source.ports.js';
import type { DlrnConfig } from '#infrastructure/config/ini/dlrn-config.js';
import { DomainError } from '#domain/shared/errors.js';
import { ConfigError } from '#infrastructure/config/shared/config.error.js';
import { GitCliRepositories } from '#infrastructure/git/git-cli.repositories.js';
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
  const git = options.git ?? new GitCliRepositories({ timeoutMs: config.service.gitTimeout * 1000 });
  const driver = config.default.pkginfoDriverName;
  switch (driver) {
    case 'rdoinfo':
      return new ExplainedFailures(driver, new RdoinfoPackageSource(config, git, options.infoRepo));
    case 'gitrepo':
      checkGitrepoSection(config);
      return new ExplainedFailures(driver, new GitrepoPackageSource(config, git));
    case 'local':
      return new ExplainedFailures(driver, new LocalPackageSource(config, options.cwd ?? process.cwd()));
    case 'downstream':
      return new ExplainedFailures(
        driver,
        new RdoinfoPackageSource(config, git, options.infoRepo, undefined, 'downstream_driver'),
      );
    default:
      return null;
  }
}

/** A source's failure as a PackageSourceError naming the driver: the CLI prints it as an error, not a crash. */
class ExplainedFailures extends PackageSource {
  constructor(
    private readonly driver: string,
    private readonly inner: PackageSource,
  ) {
    super();
  }

  override async list(request: PackageListRequest): Promise<ListedPackages> {
    try {
      return await this.inner.list(request);
    } catch (error) {
      if (error instanceof ConfigError || error instanceof DomainError) throw error;
      const prefix = `pkginfo_driver ${this.driver}: `;
      const message = (error as Error).message;
      throw new PackageSourceError(this.driver, message.startsWith(prefix) ? message.slice(prefix.length) : message);
    }
  }

  override lastChange(dir: string, path: string): Promise<GitCommitInfo> {
    return this.inner.lastChange(dir, path);
  }
}
