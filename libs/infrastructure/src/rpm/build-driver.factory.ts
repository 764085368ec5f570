import { buildDriverName } from '../config/ini/driver-names.js';
import type { BuildDriver } from './build-driver.js';
import { CoprBuildDriver, type CoprBuildDriverOptions } from './copr.driver.js';
import { KojiBuildDriver, type KojiBuildDriverOptions } from './koji.driver.js';
import { MockBuildDriver, type MockBuildDriverOptions } from './mock.driver.js';
import { RpmbuildBuildDriver, type RpmbuildDriverOptions } from './rpmbuild.driver.js';

export interface BuildDriverFactoryOptions {
  /** Required for `mock`: the values of projects.ini it depends on. */
  readonly mock?: MockBuildDriverOptions;
  readonly rpmbuild?: RpmbuildDriverOptions;
  /** Required for `koji`: `[kojibuild_driver]`. */
  readonly koji?: KojiBuildDriverOptions;
  /** Required for `copr`: `[coprbuild_driver]`. */
  readonly copr?: CoprBuildDriverOptions;
}

/**
 * The build driver named by `build_driver` (short name or DLRN class path, e.g.
 * `dlrn.drivers.mockdriver.MockBuildDriver`).
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
      if (!options.koji) throw new Error('build driver koji needs its options ([kojibuild_driver] build_target…)');
      return new KojiBuildDriver({ ...options.koji, rpmbuild: options.koji.rpmbuild ?? options.rpmbuild });
    case 'copr':
      if (!options.copr) throw new Error('build driver copr needs its options ([coprbuild_driver] coprid)');
      return new CoprBuildDriver({ ...options.copr, rpmbuild: options.copr.rpmbuild ?? options.rpmbuild });
    default:
      throw new Error(`unknown build driver ${JSON.stringify(name)}; use mock, rpmbuild, koji or copr`);
  }
}
