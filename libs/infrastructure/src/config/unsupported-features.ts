import type { DlrnConfig } from './ini/dlrn-config.js';
import { DEFAULT_SECTION } from './ini/ini.scanner.js';
import { ConfigError } from './shared/config.error.js';
import { checkBuildHooks } from './build-hooks.checks.js';
import { checkBuildFarmDrivers } from './build-farm.checks.js';

/**
 * DLRN features this service does not do yet, refused before a run starts rather than accepted
 * and then crashing (koji, copr) or silently doing nothing (downstream resolves
 * no package; rsync and pre-processing commands would be skipped). Each entry leaves this list
 * when the feature is built (the drivers issue). `config check` refuses them too.
 */
export function refuseUnsupportedFeatures(config: DlrnConfig): void {
  const d = config.default;
  const refuse = (key: string, reason: string): never => {
    throw new ConfigError({ file: config.configFileShown, section: DEFAULT_SECTION, key, reason });
  };
  // koji and copr are supported; their sections are checked (and rhpkg refused) instead.
  checkBuildFarmDrivers(config);
  if (d.pkginfoDriverName === 'downstream') {
    refuse(
      'pkginfo_driver',
      `${d.pkginfoDriver}: the ${d.pkginfoDriverName} package source is not supported yet; use rdoinfo, gitrepo or local`,
    );
  }
  // rsyncdest and custom_preprocess are supported: their values are checked instead.
  checkBuildHooks(config);
}
