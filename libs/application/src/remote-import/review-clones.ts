import type { PackageInfo } from '#domain/package/package-info.js';
import type { BuildLoopDeps } from '../build-pass/build-loop.types.js';
import { packageDirs } from '../build-pass/package-discovery.js';

/**
 * DLRN refreshes the package's clones before recording an imported failure: the review script
 * (`submit_review.sh`) runs in the dist-git clone, which a central instance may never have made.
 * A refresh that fails is logged; the failure is recorded all the same.
 */
export async function refreshClonesForReview(deps: BuildLoopDeps, pkg: PackageInfo): Promise<void> {
  const d = deps.config.default;
  const dirs = packageDirs(d.datadir, pkg.name);
  const policy = {
    sourceBranch: d.source ?? null,
    fallbackToMaster: d.fallbackToMaster,
    nonfallbackBranches: d.nonfallbackBranches,
  };
  try {
    await deps.git.refresh({
      url: pkg['master-distgit'],
      dir: dirs.distgitDir,
      branch: pkg['distro-branch'] ?? d.distro ?? 'rpm-master',
      local: false,
      policy,
    });
    if (typeof pkg.upstream === 'string') {
      await deps.git.refresh({
        url: pkg.upstream,
        dir: dirs.sourceDir,
        branch: pkg['source-branch'] ?? d.source ?? 'master',
        local: false,
        policy,
      });
    }
  } catch (error) {
    deps.log(`  could not refresh the clones of ${pkg.name} for the review: ${(error as Error).message}`);
  }
}
