import type { DlrnConfig } from './ini/dlrn-config.js';
import { checkBuildFarmDrivers } from './build-farm.checks.js';
import { checkBuildHooks } from './build-hooks.checks.js';
import { checkDownstreamDriver } from './downstream.checks.js';

/**
 * DLRN features this service does not do (or values it cannot use), refused before a run starts
 * rather than accepted and then crashing or silently doing nothing. Every driver of the drivers
 * issue is built now: what is left are the checks of their sections. `config check` runs them too.
 */
export function refuseUnsupportedFeatures(config: DlrnConfig): void {
  // koji and copr are supported; their sections are checked (and rhpkg refused) instead.
  checkBuildFarmDrivers(config);
  // downstream is supported: its section is checked instead.
  checkDownstreamDriver(config);
  // rsyncdest and custom_preprocess are supported: their values are checked instead.
  checkBuildHooks(config);
}
