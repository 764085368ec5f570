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
