import { coprIdProblem } from '../rpm/copr.driver.js';
import { kojiOptionProblems } from '../rpm/koji.driver.js';
import type { DlrnConfig } from './ini/dlrn-config.js';
import { ConfigError } from './shared/config.error.js';

/**
 * `[kojibuild_driver]` and `[coprbuild_driver]` when their driver is selected, checked at load:
 * values that reach the client's command line are refused
 * with the key rather than at the first build.
 */
export function checkBuildFarmDrivers(config: DlrnConfig): void {
  const driver = config.default.buildDriverName;
  const refuse = (section: string, key: string, reason: string): never => {
    throw new ConfigError({ file: config.configFileShown, section, key, reason });
  };
  if (driver === 'koji') {
    const koji = config.kojibuildDriver;
    const [problem] = kojiOptionProblems({
      ...koji,
      buildTarget: koji.buildTarget ?? '',
      datadir: config.default.datadir,
    });
    if (problem !== undefined) refuse('kojibuild_driver', problem.key, problem.reason);
  }
  if (driver === 'copr') {
    const problem = coprIdProblem(config.coprbuildDriver.coprid ?? '');
    if (problem !== null) refuse('coprbuild_driver', 'coprid', problem);
  }
}
