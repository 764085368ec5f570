import type { PackageInfo } from '../package/package-info.js';

/**
 * One repository under its many spellings: `https://GitHub.com/org/repo.git/`,
 * `git@github.com:org/repo`, `ssh://git@github.com:22/org/repo` and `git://github.com/org/repo`
 * all give `github.com/org/repo`. The scheme, user, port, `.git` suffix, trailing and doubled
 * slashes and the host's case are dropped; the path's case is kept (GitLab and Gitea paths are
 * case-sensitive). Local repositories (`file:///srv/git/repo`, `/srv/git/repo`) give their path.
 * Null for what is no repository URL.
 */
export function normalizeGitUrl(url: string): string | null {
  const text = url.trim();
  if (text.length > 2048 || /\s/.test(text)) return null;
  let host: string;
  let path: string;
  // The authority ends at the first slash, `?` or `#`: the path is what follows (a query or a
  // fragment there is dropped below).
  const withScheme = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)/i.exec(text);
  if (withScheme) {
    const scheme = withScheme[1]!.toLowerCase();
    if (!['http', 'https', 'git', 'ssh', 'git+ssh', 'ssh+git', 'file'].includes(scheme)) return null;
    // user@host:port → host
    host = withScheme[2]!.replace(/.*@/, '').replace(/:\d*$/, '').toLowerCase();
    path = withScheme[3]!;
    if (scheme !== 'file' && host === '') return null;
  } else if (text.startsWith('/')) {
    host = '';
    path = text;
  } else {
    // scp-like: [user@]host:path (git's rule: no slash before the first colon); a host holds no
    // `@`, so `git@:path` (user, no host) is refused as the ssh:// form without a host is.
    // A path starting with `//` is a URL whose scheme is none (`9git://host/x`), not a path.
    const scp = /^(?:[^@/:]+@)?([^@/:]+):(.+)/.exec(text);
    if (!scp || scp[2]!.startsWith('//')) return null;
    host = scp[1]!.toLowerCase();
    path = `/${scp[2]!}`;
  }
  // Without its query, every path is empty or starts with a slash; slashes are collapsed, so one at
  // most trails.
  path = path
    .replace(/[?#].*/, '')
    .replace(/\/{2,}/g, '/')
    .replace(/\/$/, '')
    .replace(/\.git$/, '')
    .replace(/\/$/, '');
  if (path === '') return null;
  return `${host}${path}`;
}

/** The branch a pushed ref names: `refs/heads/stable/2024.1` → `stable/2024.1`; a bare name is one (older Gerrit). */
export function branchOfRef(ref: string): string | null {
  if (ref.startsWith('refs/heads/')) return ref.slice('refs/heads/'.length) || null;
  if (ref.startsWith('refs/')) return null;
  return ref === '' ? null : ref;
}

/** What a push names: the repository (any of its URLs), or for Gerrit, which sends no URL, its project path. */
export interface PushTarget {
  /** Every URL the payload gives for the repository (clone, SSH, web). */
  readonly repositoryUrls: readonly string[];
  /** Gerrit: the project (`openstack/nova`); matches any URL whose path ends with it. */
  readonly project?: string;
  readonly ref: string;
}

/** The branches followed when a package names none: `[DEFAULT] source` and `distro`. */
export interface FollowedDefaults {
  readonly source: string | null;
  readonly distro: string | null;
}

/**
 * Whether a URL names the repository given by its URLs (any spelling, see `normalizeGitUrl`) or,
 * for Gerrit, by its project: a URL whose path ends with the project's, on a segment boundary
 * (`…/x/supernova` does not end with `/nova`).
 */
export function repositoryMatcher(
  urls: readonly string[],
  project: string | undefined,
): (url: unknown) => url is string {
  const named = new Set(urls.map(normalizeGitUrl).filter((key): key is string => key !== null));
  const tail = project === undefined ? null : normalizeGitUrl(`/${project}`);
  return (url: unknown): url is string => {
    if (typeof url !== 'string') return false;
    const key = normalizeGitUrl(url);
    if (key === null) return false;
    return named.has(key) || (tail !== null && key.endsWith(tail));
  };
}

/** A package a repository and branch concern, which of its sides, and the package's own URL for it. */
export interface FollowedSide {
  readonly package: string;
  readonly side: 'upstream' | 'distgit';
  readonly repositoryUrl: string;
}

/**
 * The sides of packages that follow `branch` of the repository `isNamed` recognises, in package
 * order: the upstream (its first URL that matches) when its source branch (`source-branch`, else
 * `[DEFAULT] source`) is `branch`, and the `master-distgit` when its distro branch
 * (`distro-branch`, else `distro`) is. The URL kept is the package's, from the metadata.
 */
export function followedSides(
  packages: readonly PackageInfo[],
  branch: string,
  isNamed: (url: unknown) => url is string,
  defaults: FollowedDefaults,
): FollowedSide[] {
  const found: FollowedSide[] = [];
  for (const pkg of packages) {
    const upstreams: readonly unknown[] = Array.isArray(pkg.upstream) ? pkg.upstream : [pkg.upstream];
    const upstream = (pkg['source-branch'] ?? defaults.source) === branch ? upstreams.find(isNamed) : undefined;
    if (upstream !== undefined) found.push({ package: pkg.name, side: 'upstream', repositoryUrl: upstream });
    const distgit = pkg['master-distgit'];
    if ((pkg['distro-branch'] ?? defaults.distro) === branch && isNamed(distgit))
      found.push({ package: pkg.name, side: 'distgit', repositoryUrl: distgit });
  }
  return found;
}

/**
 * Packages a push concerns, sorted by name: those with a side that follows the pushed branch of
 * the repository (`followedSides`). Tags and other refs (`refs/changes/…`, `refs/tags/…`) move no
 * followed branch.
 */
export function packagesMovedBy(
  packages: readonly PackageInfo[],
  push: PushTarget,
  defaults: FollowedDefaults,
): string[] {
  const branch = branchOfRef(push.ref);
  if (branch === null) return [];
  const sides = followedSides(packages, branch, repositoryMatcher(push.repositoryUrls, push.project), defaults);
  return [...new Set(sides.map((side) => side.package))].sort();
}
