import type { GitCommitInfo } from '#domain/package/git.ports.js';
import { PackageSource, type ListedPackages, type PackageListRequest } from '#domain/package/package-source.ports.js';

/**
 * A PackageSource that tells `onList` each list it answers: the build-loop factory keeps its
 * `packages` on the last one, so that everything reading the list during a pass (the snapshot
 * of a published repository, culprit mails, bisection) sees the packages of that pass.
 */
export class TrackedPackageSource extends PackageSource {
  constructor(
    private readonly inner: PackageSource,
    private readonly onList: (listed: ListedPackages) => void,
  ) {
    super();
  }

  override async list(request: PackageListRequest): Promise<ListedPackages> {
    const listed = await this.inner.list(request);
    this.onList(listed);
    return listed;
  }

  override lastChange(dir: string, path: string): Promise<GitCommitInfo> {
    return this.inner.lastChange(dir, path);
  }
}
