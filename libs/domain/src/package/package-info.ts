/**
 * A package as the package-metadata driver resolves it (rdoinfo `packages:` entry after
 * `package-default`, `package-configs`, `%(project)s` and the configured tag are applied).
 * Keys keep rdoinfo's spelling so that `dlrn config check --json` prints what DLRN users know.
 */
export interface PackageInfo {
  /** RPM package name, e.g. `openstack-nova`; the key of everything else. */
  readonly name: string;
  /** Short project name, e.g. `nova`; what `--project-name` matches. */
  readonly project: string;
  /** Upstream source git URL(s). */
  readonly upstream: string | readonly string[];
  /** Packaging (dist-git) repository URL. */
  readonly 'master-distgit': string;
  /** Upstream branch override; the config's `source` applies when absent. */
  readonly 'source-branch'?: string;
  /** Dist-git branch override; the config's `distro` applies when absent. */
  readonly 'distro-branch'?: string;
  readonly maintainers: readonly string[];
  readonly component?: string;
  /** Every other key of the resolved entry, kept verbatim (`distgit`, `patches`, `tags`…). */
  readonly [key: string]: unknown;
}
