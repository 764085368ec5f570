import { join } from 'node:path';
import type { BuildHistory } from '#domain/build/build-history.js';
import type { CommitDiscovered } from '#domain/build/build.events.js';
import { packageName } from '#domain/build/commit-ref.js';
import { applyWindow, discoveryWindow, shouldQueue } from '#domain/package/discovery.js';
import type { BranchPolicy, CheckoutResult, GitCommitInfo } from '#domain/package/git.ports.js';
import type { PackageInfo } from '#domain/package/package-info.js';
import { renderDistgitTemplate } from '#infrastructure/renderspec/distgit-template.js';
import { specDirectory } from '#infrastructure/rpm/distgit-sources.js';
import type { BuildLoopDeps, PassOptions } from './build-loop.types.js';
import { discoverLocalPackage } from './local-discovery.js';
import { discoverDownstreamPackage } from './downstream-discovery.js';

export type Candidate = CommitDiscovered['data'];

export type DiscoveryOutcome =
  | {
      readonly kind: 'ok';
      readonly candidates: readonly Candidate[];
      readonly distgitDir: string;
      readonly sourceDir: string;
    }
  | { readonly kind: 'skipped'; readonly reason: string }
  | {
      readonly kind: 'rewritten';
      readonly candidates: readonly Candidate[];
      readonly knownCommit: string;
      readonly newHead: string;
      readonly branch: string;
      readonly distgitDir: string;
      readonly sourceDir: string;
    };

/** `<datadir>/<package>` and `<datadir>/<package>_distro`, for a name that is a plain directory name. */
export function packageDirs(datadir: string, name: string): { sourceDir: string; distgitDir: string } {
  packageName(name);
  return { sourceDir: join(datadir, name), distgitDir: join(datadir, `${name}_distro`) };
}

/**
 * Where the upstream clone of a commit lives: `<datadir>/<package>`, or with several `upstream`
 * URLs `<datadir>/<package>/<last part of the URL>` (DLRN's getinfo: `os.path.split(repo)[1]`).
 */
export function upstreamDir(datadir: string, pkg: PackageInfo, url: string | null): string {
  const sourceDir = packageDirs(datadir, pkg.name).sourceDir;
  if (typeof pkg.upstream === 'string' || pkg.upstream.length <= 1 || url === null) return sourceDir;
  const last = url.replace(/\/+$/, '').split('/').pop() ?? '';
  if (last === '' || last === '.' || last === '..' || last.startsWith('-') || last.includes('\\')) {
    throw new Error(`upstream ${url}: its last part cannot name a directory`);
  }
  return join(sourceDir, last);
}

/** Every upstream clone of a package: `<datadir>/<package>`, or one per URL with several upstreams. */
export function upstreamClones(datadir: string, pkg: PackageInfo): string[] {
  const urls = typeof pkg.upstream === 'string' ? [pkg.upstream] : pkg.upstream;
  return urls.length <= 1 ? [upstreamDir(datadir, pkg, null)] : urls.map((url) => upstreamDir(datadir, pkg, url));
}

/** The branch rules of projects.ini every clone is refreshed with (`source`, `fallback_to_master`…). */
export function branchPolicy(deps: BuildLoopDeps): BranchPolicy {
  const d = deps.config.default;
  return {
    sourceBranch: d.source ?? null,
    fallbackToMaster: d.fallbackToMaster,
    nonfallbackBranches: d.nonfallbackBranches,
  };
}

/**
 * DLRN's `getinfo` of the configured `pkginfo_driver` for one package. rdoinfo and gitrepo
 * share the clone-based discovery below (they differ in where the dist-git comes from); the
 * local driver has a single pseudo-commit.
 */
export function discoverPackage(
  deps: BuildLoopDeps,
  history: BuildHistory,
  pkg: PackageInfo,
  options: PassOptions,
): Promise<DiscoveryOutcome> {
  switch (deps.config.default.pkginfoDriverName) {
    case 'local':
      return discoverLocalPackage(deps, history, pkg, options);
    case 'downstream':
      return discoverDownstreamPackage(deps, history, pkg, options);
    default:
      return discoverFromClones(deps, history, pkg, options);
  }
}

/**
 * DLRN's `_distgit_setup` at the end of `getinfo`: when the spec directory holds a `*.spec.j2`,
 * renderspec writes the spec beside it (the gitrepo driver names it after pymod2pkg and
 * rewrites `-%{version}`), so the hooks and the build read a spec. Null, or why the package
 * is skipped (DLRN's renderspec error stops its run; here only this package waits).
 */
export async function renderSpecTemplate(
  deps: BuildLoopDeps,
  pkg: PackageInfo,
  distgitDir: string,
): Promise<string | null> {
  try {
    const rendered = await renderDistgitTemplate({
      dir: specDirectory(distgitDir, (pkg['distgit-path'] as string | undefined) ?? null),
      root: distgitDir,
      ...(deps.config.default.pkginfoDriverName === 'gitrepo' ? { gitrepoPackage: pkg.name } : {}),
    });
    if (rendered) deps.log(`${pkg.name}: renderspec: ${rendered.template} -> ${rendered.spec}`);
    return null;
  } catch (error) {
    return `renderspec: ${(error as Error).message}`;
  }
}

/**
 * The dist-git of a package, refreshed: rdoinfo clones `master-distgit` into
 * `<datadir>/<name>_distro` and takes its HEAD; gitrepo clones the packaging repository DLRN
 * keeps in `<datadir>/package_info` (a local clone, objects hard-linked) into the same place,
 * the package's folder being its `distgit-path`, and takes the last commit touching that folder.
 */
async function refreshDistgit(
  deps: BuildLoopDeps,
  pkg: PackageInfo,
  request: { readonly dir: string; readonly branch: string; readonly local: boolean; readonly policy: BranchPolicy },
): Promise<CheckoutResult> {
  const datadir = deps.config.default.datadir;
  if (deps.config.default.pkginfoDriverName !== 'gitrepo' || !deps.packageSource) {
    return deps.git.refresh({ url: pkg['master-distgit'], ...request });
  }
  const checkout = await deps.git.refresh({
    url: join(datadir, 'package_info'),
    ...request,
    policy: { sourceBranch: null, fallbackToMaster: false, nonfallbackBranches: [] },
  });
  const folder = pkg['distgit-path'] as string;
  return { branch: checkout.branch, head: await deps.packageSource.lastChange(request.dir, folder) };
}

/**
 * DLRN's `getinfo` for one package: refresh both clones, choose the window from the last build,
 * list first-parent commits, pair each with the dist-git HEAD, and drop what was built already.
 * A force-push (the last built commit is no longer an ancestor) is reported, not fatal: only
 * the new HEAD is taken.
 */
async function discoverFromClones(
  deps: BuildLoopDeps,
  history: BuildHistory,
  pkg: PackageInfo,
  options: PassOptions,
): Promise<DiscoveryOutcome> {
  const d = deps.config.default;
  let dirs: { sourceDir: string; distgitDir: string };
  try {
    dirs = packageDirs(d.datadir, pkg.name);
  } catch (error) {
    return { kind: 'skipped', reason: (error as Error).message };
  }
  // DLRN walks each `upstream` URL: one clone each, their commits all candidates of the package.
  const urls = typeof pkg.upstream === 'string' ? [pkg.upstream] : [...pkg.upstream];
  let clones: { readonly url: string; readonly dir: string }[];
  try {
    clones = urls.map((url) => ({ url, dir: upstreamDir(d.datadir, pkg, url) }));
  } catch (error) {
    return { kind: 'skipped', reason: (error as Error).message };
  }
  const clash = clones.find((c, i) => clones.findIndex((o) => o.dir === c.dir) !== i);
  if (clash) return { kind: 'skipped', reason: `two upstream URLs would share the clone ${clash.dir}` };
  const sourceBranch = pkg['source-branch'] ?? d.source ?? 'master';
  const distroBranch = pkg['distro-branch'] ?? d.distro ?? 'rpm-master';
  const policy = branchPolicy(deps);
  let distgit;
  const sources: { readonly url: string; readonly dir: string; readonly checkout: CheckoutResult }[] = [];
  try {
    distgit = await refreshDistgit(deps, pkg, {
      dir: dirs.distgitDir,
      branch: distroBranch,
      local: options.local || options.dev,
      policy,
    });
    for (const clone of clones) {
      const checkout = await deps.git.refresh({
        url: clone.url,
        dir: clone.dir,
        branch: sourceBranch,
        local: options.local,
        policy,
      });
      sources.push({ ...clone, checkout });
    }
  } catch (error) {
    return { kind: 'skipped', reason: (error as Error).message };
  }
  const renderFailure = await renderSpecTemplate(deps, pkg, dirs.distgitDir);
  if (renderFailure !== null) return { kind: 'skipped', reason: renderFailure };

  const candidates: Candidate[] = [];
  let rewritten: { readonly knownCommit: string; readonly newHead: string; readonly branch: string } | null = null;
  for (const { url, dir, checkout } of sources) {
    const found = await discoverInClone(deps, history, pkg, options, { url, dir, source: checkout, distgit });
    candidates.push(...found.candidates);
    rewritten ??= found.rewritten;
  }
  if (rewritten) return { kind: 'rewritten', candidates, ...rewritten, ...dirs };
  return { kind: 'ok', candidates, ...dirs };
}

/** One upstream clone's part of getinfo: its window, its first-parent commits, paired with the dist-git. */
async function discoverInClone(
  deps: BuildLoopDeps,
  history: BuildHistory,
  pkg: PackageInfo,
  options: PassOptions,
  clone: {
    readonly url: string;
    readonly dir: string;
    readonly source: CheckoutResult;
    readonly distgit: CheckoutResult;
  },
): Promise<{
  readonly candidates: Candidate[];
  readonly rewritten: { readonly knownCommit: string; readonly newHead: string; readonly branch: string } | null;
}> {
  const d = deps.config.default;
  const { source, distgit } = clone;
  const last = history.lastProcessed(pkg.name);
  // DLRN compares the configured branch with the one stored, which after a fallback never
  // matches (the package is then head-only for ever); we compare the branch checked out.
  const window = discoveryWindow({
    lastProcessed: last && { dtCommit: last.commit.dtCommit, commitBranch: last.commit.commitBranch },
    branch: source.branch,
    lastBuiltOnBranch: history.lastBuiltOnBranch(pkg.name, source.branch),
    headOnly: options.headOnly || options.run !== null,
  });

  let rewritten: { knownCommit: string } | null = null;
  let commits: GitCommitInfo[];
  if (window.kind === 'head') {
    commits = [source.head];
  } else if (
    last &&
    last.commit.commitBranch === source.branch &&
    // with several upstreams, only the clone the last commit came from can have lost it
    (last.commit.upstreamUrl === null || last.commit.upstreamUrl === clone.url || typeof pkg.upstream === 'string') &&
    // HEAD is its own ancestor: no git run for a package with nothing new (bench/refresh)
    last.commit.commitHash !== source.head.hash &&
    !(await deps.git.isAncestor(clone.dir, last.commit.commitHash))
  ) {
    rewritten = { knownCommit: last.commit.commitHash };
    commits = [source.head];
  } else {
    commits = applyWindow(window, await deps.git.listCommits(clone.dir, window.after));
  }

  const force = options.dev || options.run !== null;
  const candidates: Candidate[] = [];
  for (const commit of commits) {
    const candidate: Candidate = {
      package: pkg.name,
      project: pkg.project,
      type: 'rpm',
      commitHash: commit.hash,
      distroHash: options.dev ? 'dev' : distgit.head.hash,
      extendedHash: null,
      dtCommit: commit.committedAt,
      dtDistro: distgit.head.committedAt,
      dtExtended: null,
      commitBranch: source.branch,
      component: d.useComponents ? ((pkg.component as string | undefined) ?? null) : null,
      upstreamUrl: clone.url,
      distgitUrl: pkg['master-distgit'],
      versionsCsv: null,
      purpose: { kind: 'commit' },
    };
    if (shouldQueue(candidate, history, { force })) candidates.push(candidate);
  }
  return {
    candidates,
    rewritten: rewritten && { knownCommit: rewritten.knownCommit, newHead: source.head.hash, branch: source.branch },
  };
}
