import { buildDriverName } from '../config/ini/driver-names.js';
import type { BuildDriver } from './build-driver.js';
import { MockBuildDriver, type MockBuildDriverOptions } from './mock.driver.js';
import { RpmbuildBuildDriver, type RpmbuildDriverOptions } from './rpmbuild.driver.js';

export interface BuildDriverFactoryOptions {
  /** Required for `mock`: the values of projects.ini it depends on. */
  readonly mock?: MockBuildDriverOptions;
  readonly rpmbuild?: RpmbuildDriverOptions;
}

/**
 * The build driver named by `build_driver` (short name or DLRN class path, e.g.
 * `dlrn.drivers.mockdriver.MockBuildDriver`). `koji` and `copr` are not supported yet.
 */
export function createBuildDriver(name: string, options: BuildDriverFactoryOptions = {}): BuildDriver {
  const driver = buildDriverName(name);
  switch (driver) {
    case 'rpmbuild':
      return new RpmbuildBuildDriver(options.rpmbuild);
    case 'mock':
      if (!options.mock) throw new Error('build driver mock needs its options (datadir, configdir, target, reponame…)');
      return new MockBuildDriver(options.mock);
    case 'koji':
    case 'copr':
      throw new Error(`build driver ${driver} is not supported yet; use mock or rpmbuild`);
    default:
      throw new Error(`unknown build driver ${JSON.stringify(name)}; use mock or rpmbuild`);
  }
}
