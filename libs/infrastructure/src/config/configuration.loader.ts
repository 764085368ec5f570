import type { PackageInfo } from '#domain/package/package-info.js';
import type { PackageSource } from '#domain/package/package-source.ports.js';
import { createPackageSource } from '#infrastructure/package-source/package-source.factory.js';
import type { DlrnConfig } from './ini/dlrn-config.js';
import { loadProjectsIni } from './ini/projects-ini.loader.js';
import { refuseUnsupportedFeatures } from './unsupported-features.js';
import { checkBranches } from './yaml/package-branches.check.js';
import { resolvePackages } from './yaml/package-metadata.resolver.js';

export interface LoadOptions {
  /** projects.ini (`--config-file`). */
  readonly configFile: string;
  /** Local rdoinfo/distroinfo checkout (`--info-repo`). */
  readonly infoRepo?: string;
  /** `--config-override section.option=value` rules, in order. */
  readonly overrides?: readonly string[];
  /** The local driver's dist-git (default: the working directory). */
  readonly cwd?: string;
}

/**
 * Loads projects.ini and the package metadata it points at, validated together. Everything a
 * run needs is checked here, so that a bad file is refused at start with file, key and line.
 * `packages` is the list known without network access (see resolvePackages); `packageSource`
 * is what a build pass asks at its start (null: `packages` is used as it is).
 */
export async function loadConfiguration(
  opts: LoadOptions,
): Promise<{ config: DlrnConfig; packages: PackageInfo[]; packageSource: PackageSource | null }> {
  const config = loadProjectsIni(opts.configFile, opts.overrides ?? []);
  refuseUnsupportedFeatures(config);
  const packages = resolvePackages(config, opts.infoRepo);
  checkBranches(config, packages);
  const packageSource = createPackageSource(config, {
    ...(opts.infoRepo === undefined ? {} : { infoRepo: opts.infoRepo }),
    ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
  });
  return Promise.resolve({ config, packages, packageSource });
}
