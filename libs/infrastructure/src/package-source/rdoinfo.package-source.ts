import type { GitCommitInfo, GitRepositories } from '#domain/package/git.ports.js';
import { PackageSource, type ListedPackages, type PackageListRequest } from '#domain/package/package-source.ports.js';
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
 * The distroinfo package list of DLRN's RdoInfoDriver.getpackages (`[rdoinfo_driver]`) and
 * DownstreamInfoDriver.getpackages (`[downstream_driver]`, whose packages the loader also
 * filters by `downstream_tag`; the versions.csv pins are the discovery's,
 * `downstream-discovery.ts`): the info files read from `--info-repo` or a `repo` directory in
 * place, or from the clone of the `repo` git URL in `<datadir>/rdoinfo` (or
 * `<cache_dir>/rdoinfo`), cloned on the first pass and fetched and reset to `origin/master` on
 * each (not with --dev/--local). Read afresh every pass, so a package added to rdoinfo is built
 * by the next pass.
 */
export class RdoinfoPackageSource extends PackageSource {
  private readonly runner: GitCommandRunner;

  constructor(
    private readonly config: DlrnConfig,
    private readonly git: GitRepositories,
    private readonly infoRepo?: string,
    runner?: GitCommandRunner,
    private readonly section: 'rdoinfo_driver' | 'downstream_driver' = 'rdoinfo_driver',
  ) {
    super();
    this.runner = runner ?? new GitCommandRunner();
  }

  override async list(request: PackageListRequest): Promise<ListedPackages> {
    const repo = this.section === 'rdoinfo_driver' ? this.config.rdoinfoDriver.repo : this.config.downstreamDriver.repo;
    const location = locateInfoRepo(this.config, this.section, repo, this.infoRepo, true);
    const packages = readInfoRepoPackages(
      this.config,
      location.kind === 'directory' ? location.repo : await this.refreshed(location.url, request),
    );
    checkBranches(this.config, packages);
    return { packages, refused: [] };
  }

  /** The clone of the `repo` git URL, brought up to date (not with --dev/--local). */
  private async refreshed(url: string, request: PackageListRequest): Promise<{ dir: string; shown: string }> {
    const dir = rdoinfoCloneDir(this.config);
    await this.git.refresh({
      url,
      dir,
      branch: RDOINFO_BRANCH,
      local: request.dev || request.local,
      policy: { sourceBranch: null, fallbackToMaster: false, nonfallbackBranches: [] },
    });
    return { dir, shown: dir };
  }

  override lastChange(dir: string, path: string): Promise<GitCommitInfo> {
    return lastChange(this.runner, dir, path);
  }
}
