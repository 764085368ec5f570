import type { PackageInfo } from '../package/package-info.js';
import { repositoryMatcher, type FollowedDefaults } from '../webhook/push-match.js';
import type { Forge } from '../webhook/webhook.events.js';
import type { ChangeSide } from './change.events.js';

/** What a change names: its repository (any of its URLs; Gerrit: its project) and target branch. */
export interface ChangeTarget {
  readonly repositoryUrls: readonly string[];
  readonly project?: string;
  /** The branch the change would merge into (`master`, `refs/heads/master`). */
  readonly targetBranch: string;
}

/** A package a change concerns: which side, and the package's own URL for that repository. */
export interface ChangedPackage {
  readonly package: string;
  readonly side: ChangeSide;
  readonly repositoryUrl: string;
}

function branchName(ref: string): string {
  return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref;
}

/**
 * Packages a change concerns, sorted by name then side: as a push moves them (`packagesMovedBy`):
 * the upstream URL is the change's repository and the change targets the package's source branch,
 * or the `master-distgit` is and it targets the distro branch. The URL kept is the package's,
 * from the metadata: the build fetches from there, never from a URL a payload gave.
 */
export function packagesChangedBy(
  packages: readonly PackageInfo[],
  target: ChangeTarget,
  defaults: FollowedDefaults,
): ChangedPackage[] {
  const branch = branchName(target.targetBranch);
  const isNamed = repositoryMatcher(target.repositoryUrls, target.project);
  const found: ChangedPackage[] = [];
  for (const pkg of packages) {
    const upstreams = Array.isArray(pkg.upstream) ? (pkg.upstream as readonly string[]) : [pkg.upstream as string];
    const source = pkg['source-branch'] ?? defaults.source;
    const distro = pkg['distro-branch'] ?? defaults.distro;
    const upstream = upstreams.find(isNamed);
    if (source === branch && upstream !== undefined)
      found.push({ package: pkg.name, side: 'upstream', repositoryUrl: upstream });
    if (distro === branch && isNamed(pkg['master-distgit']))
      found.push({ package: pkg.name, side: 'distgit', repositoryUrl: pkg['master-distgit'] });
  }
  return found.sort((a, b) => a.package.localeCompare(b.package) || a.side.localeCompare(b.side));
}

/**
 * The ref a change's head is fetched from, built from its numbers (never taken from a payload):
 * GitHub and Gitea `refs/pull/<n>/head`, GitLab `refs/merge-requests/<n>/head`, Gerrit
 * `refs/changes/<last two digits>/<n>/<patchset>`.
 */
export function changeFetchRef(forge: Forge, change: string, patchset: number | null): string {
  switch (forge) {
    case 'github':
    case 'gitea':
      return `refs/pull/${change}/head`;
    case 'gitlab':
      return `refs/merge-requests/${change}/head`;
    case 'gerrit':
      if (patchset === null) throw new Error('a Gerrit change ref needs its patch set');
      return `refs/changes/${change.slice(-2).padStart(2, '0')}/${change}/${patchset}`;
  }
}
