import { join } from 'node:path';
import type { BuildHistory } from '#domain/build/build-history.js';
import { shouldQueue } from '#domain/package/discovery.js';
import type { PackageInfo } from '#domain/package/package-info.js';
import type { BuildLoopDeps, PassOptions } from './build-loop.types.js';
import type { Candidate, DiscoveryOutcome } from './package-discovery.js';

/**
 * DLRN's LocalDriver.getinfo: one pseudo-commit, `commit_hash = <name>-<version>`, dated 0,
 * on the branch `<version>`, paired with the last commit of the dist-git the package source
 * copied to `<datadir>/<name>_distro`. A new commit there (or a new Version) is a new build;
 * the same pair again is built already and not queued, unless --dev.
 */
export async function discoverLocalPackage(
  deps: BuildLoopDeps,
  history: BuildHistory,
  pkg: PackageInfo,
  options: PassOptions,
): Promise<DiscoveryOutcome> {
  const datadir = deps.config.default.datadir;
  const version = pkg['source-branch'];
  const distgitDir = join(datadir, `${pkg.name}_distro`);
  if (!deps.packageSource || version === undefined) {
    return { kind: 'skipped', reason: 'the local driver lists its package at the start of the pass' };
  }
  let head;
  try {
    head = await deps.packageSource.lastChange(distgitDir, '.');
  } catch (error) {
    return { kind: 'skipped', reason: (error as Error).message };
  }
  const candidate: Candidate = {
    package: pkg.name,
    project: pkg.project,
    type: 'rpm',
    commitHash: `${pkg.name}-${version}`,
    distroHash: options.dev ? 'dev' : head.hash,
    extendedHash: null,
    dtCommit: 0,
    dtDistro: head.committedAt,
    dtExtended: null,
    commitBranch: version,
    component: null,
    upstreamUrl: null,
    distgitUrl: pkg['master-distgit'],
    versionsCsv: null,
    purpose: { kind: 'commit' },
  };
  const force = options.dev || options.run !== null;
  const candidates = shouldQueue(candidate, history, { force }) ? [candidate] : [];
  return { kind: 'ok', candidates, distgitDir, sourceDir: join(datadir, pkg.name) };
}
