import type { GitRepositories } from '#domain/package/git.ports.js';
import { PackageSource, type ListedPackages, type PackageListRequest } from '#domain/package/package-source.ports.js';
import type { GitCommitInfo } from '#domain/package/git.ports.js';
import type { PackageInfo } from '#domain/package/package-info.js';
import type { DlrnConfig } from '#infrastructure/config/ini/dlrn-config.js';
import {
  locateInfoRepo,
  rdoinfoCloneDir,
  readInfoRepoPackages,
} from '#infrastructure/config/yaml/package-metadata.resolver.js';
import { checkBranches } from '#infrastructure/config/yaml/package-branches.check.js';
import { GitCommandRunner } from '#infrastructure/git/git-command.runner.js';
import { lastChange } from './git-last-change.js';

/** rdoinfo's own branch: distroinfo clones the default branch, which for rdoinfo is master. */
export const RDOINFO_BRANCH = 'master';

/**
 * DLRN's RdoInfoDriver.getpackages: the info files read from `--info-repo` or a `repo`
 * directory in place, or from the clone of the `repo` git URL in `<datadir>/rdoinfo`, cloned on
 * the first pass and fetched and reset to `origin/master` on each (not with --dev/--local).
 * Read afresh every pass, so a package added to rdoinfo is built by the next pass.
 */
export class RdoinfoPackageSource extends PackageSource {
  private readonly runner: GitCommandRunner;

  constructor(
    private readonly config: DlrnConfig,
    private readonly git: GitRepositories,
    private readonly infoRepo?: string,
    runner?: GitCommandRunner,
  ) {
    super();
    this.runner = runner ?? new GitCommandRunner();
  }

  override async list(request: PackageListRequest): Promise<ListedPackages> {
    const location = locateInfoRepo(this.config, 'rdoinfo_driver', this.config.rdoinfoDriver.repo, this.infoRepo, true);
    if (location.kind === 'directory') return this.checked(readInfoRepoPackages(this.config, location.repo));
    const dir = rdoinfoCloneDir(this.config);
    await this.git.refresh({
      url: location.url,
      dir,
      branch: RDOINFO_BRANCH,
      local: request.dev || request.local,
      policy: { sourceBranch: null, fallbackToMaster: false, nonfallbackBranches: [] },
    });
    return this.checked(readInfoRepoPackages(this.config, { dir, shown: dir }));
  }

  private checked(packages: PackageInfo[]): ListedPackages {
    checkBranches(this.config, packages);
    return { packages, refused: [] };
  }

  override lastChange(dir: string, path: string): Promise<GitCommitInfo> {
    return lastChange(this.runner, dir, path);
  }
}
