import type { FollowedCommit } from '#domain/build/build.ports.js';
import type { BuildLog } from './build-log.js';
import type { ChildEnv } from './command.runner.js';
import type { UpstreamChroot } from './mock-chroot.js';

/** What the pipeline hands a build driver once the source RPM is in the output directory. */
export interface BuildDriverRequest {
  readonly packageName: string;
  /** The source RPM, already copied into `outputDir`. */
  readonly srpmPath: string;
  /** Where the driver leaves the RPMs (flat) and the `installed` marker. */
  readonly outputDir: string;
  /** `%{dist}`, e.g. `.el9`. */
  readonly dist: string;
  readonly workerId: number;
  /** Extra options for the builder, e.g. `['-D', 'repo_bootstrap 1']` for mock. */
  readonly additionalOptions: readonly string[];
  /** Complete environment for the driver's commands (DLRN's variables and `--build-env` included). */
  readonly env: ChildEnv;
  /** `rpmbuild.log` of the output directory. */
  readonly log: BuildLog;
  readonly commandTimeoutMs: number;
  /** A followed commit's build (RpmBuildRequest.followedCommit), with its source commit and dist-git. */
  readonly followedCommit?: FollowedBuild;
}

export interface FollowedBuild extends FollowedCommit {
  readonly commitHash: string;
  /** The package's dist-git clone (`<datadir>/<package>_distro`). */
  readonly distgitDir: string;
}

/** What the pipeline hands a build driver to turn the rewritten spec into a source RPM. */
export interface SrpmBuildRequest {
  readonly packageName: string;
  /** The rewritten spec, in `<topdir>/SPECS`. */
  readonly specPath: string;
  /** The tarball and the dist-git files (`<topdir>/SOURCES`). */
  readonly sourcesDir: string;
  /** The build's private rpm `_topdir` (a fresh temporary directory). */
  readonly topdir: string;
  /** Where exactly one `.src.rpm` must be left (`<topdir>/SRPMS`). */
  readonly resultDir: string;
  readonly dist: string;
  readonly workerId: number;
  readonly env: ChildEnv;
  /** `rpmbuild.log` of the output directory. */
  readonly log: BuildLog;
  readonly commandTimeoutMs: number;
}

/** What a driver needs to open its sandbox for upstream code. */
export interface UpstreamChrootRequest {
  readonly workerId: number;
  /** Where its own logs go (the build's output directory). */
  readonly resultDir: string;
  readonly env: ChildEnv;
  readonly log: BuildLog;
  readonly commandTimeoutMs: number;
}

/**
 * DLRN's `BuildRPMDriver.build_package`: turn the source RPM into binary RPMs in the output
 * directory and, once they are known to install, create the `installed` marker. Failures throw
 * an Error whose message becomes `Error in build_rpm_wrapper for <package>: <message>`.
 */
export abstract class BuildDriver {
  abstract readonly name: string;
  /**
   * build_srpm.sh's last step. rpm expands the spec's macros while it builds the source RPM, so
   * a driver that isolates builds (mock) does this inside its chroot too, never on the host.
   */
  abstract buildSrpm(request: SrpmBuildRequest): Promise<void>;
  /**
   * Whether buildSrpm parses the spec on this host (rpmbuild), so that `rpmspec -P` may expand
   * its macros here to find its URL sources; a driver that parses it in a chroot says false.
   */
  parsesSpecOnHost(): boolean {
    return true;
  }
  /**
   * Where upstream code (setup.py, gemspecs) runs for a driver that does not parse the spec on
   * this host: its sandbox with `upstreamCopy` inside, or null when it has none.
   */
  upstreamChroot(_request: UpstreamChrootRequest, _upstreamCopy: string): Promise<UpstreamChroot | null> {
    return Promise.resolve(null);
  }
  abstract build(request: BuildDriverRequest): Promise<void>;
}
