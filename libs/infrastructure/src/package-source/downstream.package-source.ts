import type { GitCommitInfo, GitRepositories } from '#domain/package/git.ports.js';
import { PackageSource, type ListedPackages, type PackageListRequest } from '#domain/package/package-source.ports.js';
import type { DlrnConfig } from '#infrastructure/config/ini/dlrn-config.js';
import { checkBranches } from '#infrastructure/config/yaml/package-branches.check.js';
import {
  locateInfoRepo,
  rdoinfoCloneDir,
  readInfoRepoPackages,
} from '#infrastructure/config/yaml/package-metadata.resolver.js';
import { GitCommandRunner } from '#infrastructure/git/git-command.runner.js';
import { lastChange } from './git-last-change.js';
import { RDOINFO_BRANCH } from './rdoinfo.package-source.js';

/**
 * DLRN's DownstreamInfoDriver.getpackages: the distroinfo packages (filtered by `tags`, then
 * `downstream_tag`) from `--info-repo`, a `[downstream_driver] repo` directory, or the clone of
 * its git URL (`<datadir>/rdoinfo`, or `<cache_dir>/rdoinfo`), fetched each pass as rdoinfo's is.
 * The versions.csv pins are the discovery's (`downstream-discovery.ts`), read once per pass.
 */
export class DownstreamPackageSource extends PackageSource {
  private readonly runner: GitCommandRunner;

  constructor(
    private readonly config: DlrnConfig,
    private readonly git: GitRepositories,
    private readonly infoRepo?: string,
  ) {
    super();
    this.runner = new GitCommandRunner();
  }

  override async list(request: PackageListRequest): Promise<ListedPackages> {
    const section = this.config.downstreamDriver;
    const location = locateInfoRepo(this.config, 'downstream_driver', section.repo, this.infoRepo, true);
    let packages;
    if (location.kind === 'directory') {
      packages = readInfoRepoPackages(this.config, location.repo);
    } else {
      const dir = rdoinfoCloneDir(this.config);
      await this.git.refresh({
        url: location.url,
        dir,
        branch: RDOINFO_BRANCH,
        local: request.dev || request.local,
        policy: { sourceBranch: null, fallbackToMaster: false, nonfallbackBranches: [] },
      });
      packages = readInfoRepoPackages(this.config, { dir, shown: dir });
    }
    checkBranches(this.config, packages);
    return { packages, refused: [] };
  }

  override lastChange(dir: string, path: string): Promise<GitCommitInfo> {
    return lastChange(this.runner, dir, path);
  }
}
