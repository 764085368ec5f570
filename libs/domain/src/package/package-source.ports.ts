import { DomainError } from '../shared/errors.js';
import type { GitCommitInfo } from './git.ports.js';
import type { PackageInfo } from './package-info.js';

/** The pass flags that change how a package source reads its repository. */
export interface PackageListRequest {
  /** `--dev`: an existing packaging clone is used as it is (DLRN does not fetch in dev mode). */
  readonly dev: boolean;
  /** `--local`: same, for the operator's own checkouts. */
  readonly local: boolean;
}

/** A package the source found but cannot offer for building, and why (recorded as a skip). */
export interface RefusedPackage {
  readonly name: string;
  readonly reason: string;
}

export interface ListedPackages {
  readonly packages: readonly PackageInfo[];
  readonly refused: readonly RefusedPackage[];
}

/**
 * DLRN's package info driver (`pkginfo_driver`): `getpackages`, asked at the start of every
 * pass, and what its `getinfo` reads beyond the upstream and dist-git clones. Implemented per
 * driver in infrastructure (rdoinfo, gitrepo, local); `downstream` plugs in the same way.
 */
export abstract class PackageSource {
  /**
   * The packages of this pass. May clone or fetch the repository holding the metadata (the
   * rdoinfo repo, the gitrepo packaging repo) or copy the local dist-git. Throws an Error whose
   * message names the repository, file or directory at fault: the pass cannot start without it.
   */
  abstract list(request: PackageListRequest): Promise<ListedPackages>;

  /**
   * The last commit touching `path` (relative, `.` for all) of the clone at `dir`: the gitrepo
   * driver's distro_hash for a package folder, the local driver's for the dist-git.
   */
  abstract lastChange(dir: string, path: string): Promise<GitCommitInfo>;
}

/** The package source could not answer (its repository cannot be cloned, the dist-git is not one…): no pass without it. */
export class PackageSourceError extends DomainError {
  constructor(driver: string, reason: string) {
    super('PACKAGE_SOURCE_FAILED', `pkginfo_driver ${driver}: ${reason}`, { driver });
  }
}
