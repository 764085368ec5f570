import type { PackageInfo } from '#domain/package/package-info.js';
import type { DlrnConfig } from '../ini/dlrn-config.js';
import { DEFAULT_SECTION } from '../ini/ini.scanner.js';
import { ConfigError } from '../shared/config.error.js';

/**
 * A package without its own branch uses the config's `source`/`distro`; when both are missing
 * DLRN would try to check out the branch None, so such a package could never be built.
 */
export function checkBranches(config: DlrnConfig, packages: readonly PackageInfo[]): void {
  const checks = [
    { key: 'source', packageKey: 'source-branch', value: config.default.source, what: 'upstream' },
    { key: 'distro', packageKey: 'distro-branch', value: config.default.distro, what: 'distgit' },
  ] as const;
  for (const check of checks) {
    const orphan = check.value === null ? packages.find((pkg) => pkg[check.packageKey] === undefined) : undefined;
    if (orphan !== undefined) {
      throw new ConfigError({
        file: config.configFileShown,
        section: DEFAULT_SECTION,
        key: check.key,
        reason: `is not set and package '${orphan.name}' has no '${check.packageKey}': its ${check.what} branch is unknown`,
      });
    }
  }
}
