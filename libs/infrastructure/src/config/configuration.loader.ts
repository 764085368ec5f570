import type { PackageInfo } from '#domain/package/package-info.js';
import type { DlrnConfig } from './ini/dlrn-config.js';
import { loadProjectsIni } from './ini/projects-ini.loader.js';
import { DEFAULT_SECTION } from './ini/ini.scanner.js';
import { ConfigError } from './shared/config.error.js';
import { refuseUnsupportedFeatures } from './unsupported-features.js';
import { resolvePackages } from './yaml/package-metadata.resolver.js';

export interface LoadOptions {
  /** projects.ini (`--config-file`). */
  readonly configFile: string;
  /** Local rdoinfo/distroinfo checkout (`--info-repo`). */
  readonly infoRepo?: string;
  /** `--config-override section.option=value` rules, in order. */
  readonly overrides?: readonly string[];
}

/**
 * A package without its own branch uses the config's `source`/`distro`; when both are missing
 * DLRN would try to check out the branch None, so such a package could never be built.
 */
function checkBranches(config: DlrnConfig, packages: readonly PackageInfo[]): void {
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

/**
 * Loads projects.ini and the package metadata it points at, validated together. Everything a
 * run needs is checked here, so that a bad file is refused at start with file, key and line.
 */
export async function loadConfiguration(opts: LoadOptions): Promise<{ config: DlrnConfig; packages: PackageInfo[] }> {
  const config = loadProjectsIni(opts.configFile, opts.overrides ?? []);
  refuseUnsupportedFeatures(config);
  const packages = resolvePackages(config, opts.infoRepo);
  checkBranches(config, packages);
  return Promise.resolve({ config, packages });
}
