import type { ReleaseNumbering } from './release.js';

/** What the RPM pipeline needs to turn one commit triple into RPMs. */
export interface RpmBuildRequest {
  readonly packageName: string;
  /** Upstream clone (`<datadir>/<package>`); the source commit is taken from its objects. */
  readonly sourceDir: string;
  readonly commitHash: string;
  /** Dist-git clone (`<datadir>/<package>_distro`), checked out at the distro commit. */
  readonly distgitDir: string;
  /** Sub-directory of the dist-git holding the spec (`distgit-path`), if any. */
  readonly distgitPath: string | null;
  /** Build start, epoch seconds: `RELEASE_DATE`. */
  readonly dtBuild: number;
  readonly releaseNumbering: ReleaseNumbering;
  readonly releaseMinor: string;
  /** `%{dist}` for rpmbuild, e.g. `.el9`. */
  readonly dist: string;
  readonly keepChangelog: boolean;
  /** The hashed repo directory (staging): wiped and created by the caller; logs land here. */
  readonly outputDir: string;
  readonly workerId: number;
  /** `--build-env VAR=value` pairs. */
  readonly env: Readonly<Record<string, string>>;
  readonly verbose: boolean;
  /** e.g. `['-D', 'repo_bootstrap 1']` with `--order`. */
  readonly additionalOptions: readonly string[];
  /** rdoinfo's `version-from`: a ref of the upstream clone whose tags also count for the version. */
  readonly versionFrom?: string | null;
  /**
   * Set for the build of a followed commit (not a change's, not a bisection step's): only such a
   * build may commit to the package's dist-git, as koji's rhpkg flow does.
   */
  readonly followedCommit?: FollowedCommit;
}

/** A dist-git commit the build made itself (koji's rhpkg flow): the triple's new hash. */
export type CommitRewrite =
  | { readonly hash: 'distro'; readonly distroHash: string; readonly dtDistro: number; readonly cause: string }
  | { readonly hash: 'extended'; readonly extendedHash: string; readonly dtExtended: number; readonly cause: string };

export interface FollowedCommit {
  readonly distroHash: string;
  /**
   * Records that the build made a dist-git commit of its own and goes on as the build of the new
   * triple (DLRN rewrites the row's hash). Rejects when that triple is claimed elsewhere: the
   * build must stop then.
   */
  readonly rewritten: (rewrite: CommitRewrite) => Promise<void>;
}

export interface RpmBuildOutput {
  /** File names (no directory) of the built RPMs in `outputDir`, source RPM included. */
  readonly rpms: readonly string[];
  /** `<name>-<version>-<release>` of the source RPM. */
  readonly nvr: string;
}

/** A build that did not produce a usable result; `notes` become the build's notes (DLRN texts). */
export class RpmBuildError extends Error {
  constructor(readonly notes: string) {
    super(notes);
    this.name = 'RpmBuildError';
  }
}

/**
 * Source tarball, spec rewrite, SRPM, then the configured build driver (`rpmbuild`, `mock`…).
 * Success means at least one RPM and the `installed` marker in `outputDir`; anything else
 * throws RpmBuildError. `rpmbuild.log` in `outputDir` holds the whole output.
 */
export abstract class RpmBuilder {
  abstract build(request: RpmBuildRequest): Promise<RpmBuildOutput>;
}
