import { dirname, join } from 'node:path';
import type { BuildHistory } from '#domain/build/build-history.js';
import { shouldQueue } from '#domain/package/discovery.js';
import { FirstParentRangeError, type CheckoutResult } from '#domain/package/git.ports.js';
import type { PackageInfo } from '#domain/package/package-info.js';
import { parseSpecReplaceList } from '#domain/package/spec-replace.js';
import { mergeVersions, parseVersionsCsv, pinnedCommit, type VersionsRow } from '#domain/package/versions-csv.js';
import { DEFAULT_REMOTE_TEXT_LIMITS, fetchRemoteText } from '#infrastructure/net/remote-text.fetcher.js';
import { specDirectory } from '#infrastructure/rpm/distgit-sources.js';
import type { BuildLoopDeps, PassOptions } from './build-loop.types.js';
import { overlayUpstreamSpec } from './downstream-distgit.js';
import {
  branchPolicy,
  packageDirs,
  renderSpecTemplate,
  upstreamDir,
  type Candidate,
  type DiscoveryOutcome,
} from './package-discovery.js';

/**
 * The versions.csv pins of one pass: fetched once per pass (DLRN fetches them again for every
 * package), shared by the packages' discoveries, which run in parallel.
 */
const versionsOfPass = new WeakMap<PassOptions, Promise<Map<string, VersionsRow>>>();

/** `versions_url`, every file in order (a later one overrides), each fetched and parsed. */
export async function fetchVersions(deps: BuildLoopDeps): Promise<Map<string, VersionsRow>> {
  const limits = { ...DEFAULT_REMOTE_TEXT_LIMITS, baseDir: dirname(deps.config.configFile) };
  const tables = await Promise.all(
    deps.config.downstreamDriver.versionsUrl.map(async (url) => {
      try {
        return parseVersionsCsv(await fetchRemoteText(url, limits), url);
      } catch (error) {
        throw new Error(`[downstream_driver] versions_url: ${(error as Error).message}`, { cause: error });
      }
    }),
  );
  return mergeVersions(tables);
}

function versionsFor(deps: BuildLoopDeps, options: PassOptions): Promise<Map<string, VersionsRow>> {
  let versions = versionsOfPass.get(options);
  if (versions === undefined) {
    versions = fetchVersions(deps);
    versionsOfPass.set(options, versions);
  }
  return versions;
}

function textKey(pkg: PackageInfo, key: string): string | null {
  const value = pkg[key];
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * DLRN's DownstreamInfoDriver.getinfo for one package: rebuild exactly what an upstream DLRN
 * built (the versions.csv pins) with the downstream packaging. The package is skipped when the
 * CSV does not list it or a repository cannot be refreshed; a pin that is not a full hash or a
 * timestamp that is not a number stops the pass, as DLRN's ValueError does.
 */
export async function discoverDownstreamPackage(
  deps: BuildLoopDeps,
  history: BuildHistory,
  pkg: PackageInfo,
  options: PassOptions,
): Promise<DiscoveryOutcome> {
  const d = deps.config.default;
  const ds = deps.config.downstreamDriver;
  let dirs: { sourceDir: string; distgitDir: string };
  try {
    dirs = packageDirs(d.datadir, pkg.name);
  } catch (error) {
    return { kind: 'skipped', reason: (error as Error).message };
  }
  const versions = await versionsFor(deps, options);
  const row = versions.get(pkg.name);
  if (row === undefined) {
    return { kind: 'skipped', reason: `not present in ${ds.versionsUrl.join(',')}` };
  }
  const pinned = pinnedCommit(row);
  // Several upstream URLs: a clone each, as rdoinfo's (DLRN lists the pin once per clone; the
  // build is made from the clone that has it).
  const urls = typeof pkg.upstream === 'string' ? [pkg.upstream] : [...pkg.upstream];
  let clones: { readonly url: string; readonly dir: string }[];
  try {
    clones = urls.map((url) => ({ url, dir: upstreamDir(d.datadir, pkg, url) }));
  } catch (error) {
    return { kind: 'skipped', reason: (error as Error).message };
  }
  const distgitUrl = textKey(pkg, ds.downstreamDistgitKey);
  if (distgitUrl === null) return { kind: 'skipped', reason: `missing '${ds.downstreamDistgitKey}'` };
  const sourceGitKey = ds.downstreamSourceGitKey;
  const sourceGitUrl = sourceGitKey === null ? null : textKey(pkg, sourceGitKey);
  if (sourceGitKey !== null && sourceGitUrl === null) {
    return { kind: 'skipped', reason: `missing '${sourceGitKey}' (downstream_source_git_key)` };
  }

  const policy = branchPolicy(deps);
  const upstreamDistgitDir = join(d.datadir, `${pkg.name}_distro_upstream`);
  let distgit: CheckoutResult;
  let dsSource: CheckoutResult | null = null;
  const sources: { readonly url: string; readonly dir: string; readonly checkout: CheckoutResult }[] = [];
  try {
    distgit = await deps.git.refresh({
      url: distgitUrl,
      dir: dirs.distgitDir,
      branch: ds.downstreamDistroBranch ?? '',
      local: options.local || options.dev,
      policy,
    });
    if (sourceGitUrl !== null && !options.dev) {
      dsSource = await deps.git.refresh({
        url: sourceGitUrl,
        dir: join(d.datadir, `${pkg.name}_downstream`),
        branch: ds.downstreamSourceGitBranch ?? '',
        local: options.local,
        policy,
      });
    }
    await deps.git.refresh({
      url: pkg['master-distgit'],
      dir: upstreamDistgitDir,
      branch: options.dev ? (pkg['distro-branch'] ?? d.distro ?? 'rpm-master') : pinned.distroHash,
      local: options.local || options.dev,
      policy,
    });
    for (const clone of clones) {
      const checkout = await deps.git.refresh({
        url: clone.url,
        dir: clone.dir,
        branch: pkg['source-branch'] ?? d.source ?? 'master',
        local: options.local,
        policy,
      });
      sources.push({ ...clone, checkout });
    }
  } catch (error) {
    return { kind: 'skipped', reason: (error as Error).message };
  }

  // --local builds the source checkout as it is, whatever the CSV pins (DLRN's rule).
  let source = sources[0]!;
  if (!options.local) {
    let found = null;
    for (const candidate of sources) {
      try {
        // Resolving the pin both ways proves the clone has it (the tarball is made from it).
        await deps.git.firstParentRange(candidate.dir, pinned.commitHash, pinned.commitHash);
        found = candidate;
        break;
      } catch (error) {
        if (!(error instanceof FirstParentRangeError)) throw error;
      }
    }
    if (found === null) {
      return {
        kind: 'skipped',
        reason: `Source Sha ${pinned.commitHash} (${row.url}, line ${row.line}) is not in ${urls.join(', ')}, branch ${source.checkout.branch}`,
      };
    }
    source = found;
  }
  const commit = options.local ? source.checkout.head : { hash: pinned.commitHash, committedAt: pinned.dtCommit };

  if (ds.useUpstreamSpec) {
    const distgitPath = (pkg['distgit-path'] as string | undefined) ?? null;
    try {
      await overlayUpstreamSpec({
        upstreamDir: specDirectory(upstreamDistgitDir, distgitPath),
        downstreamDir: specDirectory(dirs.distgitDir, distgitPath),
        rules: parseSpecReplaceList(ds.downstreamSpecReplaceList),
        keepChangelog: d.keepChangelog,
        skipped: (name, why) => deps.log(`${pkg.name}: use_upstream_spec: not copying ${name}: ${why}`),
      });
    } catch (error) {
      return { kind: 'skipped', reason: `use_upstream_spec: ${(error as Error).message}` };
    }
  }
  const renderFailure = await renderSpecTemplate(deps, pkg, dirs.distgitDir);
  if (renderFailure !== null) return { kind: 'skipped', reason: renderFailure };

  const extendedHash = options.dev
    ? 'dev'
    : dsSource === null
      ? distgit.head.hash
      : `${distgit.head.hash}_${dsSource.head.hash}`;
  const candidate: Candidate = {
    package: pkg.name,
    project: pkg.project,
    type: 'rpm',
    commitHash: commit.hash,
    distroHash: options.dev ? 'dev' : pinned.distroHash,
    extendedHash,
    dtCommit: commit.committedAt,
    // DLRN: "In this driver we do not care about dt_distro".
    dtDistro: 0,
    dtExtended: options.dev ? 0 : distgit.head.committedAt,
    commitBranch: source.checkout.branch,
    component: d.useComponents ? ((pkg.component as string | undefined) ?? null) : null,
    upstreamUrl: source.url,
    distgitUrl: pkg['master-distgit'],
    versionsCsv: row.url,
    purpose: { kind: 'commit' },
  };
  const force = options.dev || options.run !== null;
  return { kind: 'ok', candidates: shouldQueue(candidate, history, { force }) ? [candidate] : [], ...dirs };
}
