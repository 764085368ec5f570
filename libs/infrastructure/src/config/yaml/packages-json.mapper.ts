import type { PackageInfo } from '#domain/package/package-info.js';
import type { DlrnConfig } from '../ini/dlrn-config.js';

/** One line of `dlrn config check --json`: what DLRN will build and from where. */
export interface PackageJson {
  readonly name: string;
  readonly project: string;
  readonly upstream: string | readonly string[];
  readonly 'master-distgit': string;
  readonly 'source-branch': string | null;
  readonly 'distro-branch': string | null;
  readonly maintainers: readonly string[];
  readonly component: string | null;
}

/**
 * Exactly the keys `config check --json` prints. Branches fall back to the config's `source` /
 * `distro`, as DLRN's getsourcebranch / getdistrobranch do; `null` when neither is set.
 */
export function packagesAsJson(packages: readonly PackageInfo[], config: Pick<DlrnConfig, 'default'>): PackageJson[] {
  return packages.map((pkg) => ({
    name: pkg.name,
    project: pkg.project,
    upstream: pkg.upstream,
    'master-distgit': pkg['master-distgit'],
    'source-branch': pkg['source-branch'] ?? config.default.source,
    'distro-branch': pkg['distro-branch'] ?? config.default.distro,
    maintainers: pkg.maintainers,
    component: pkg.component ?? null,
  }));
}
