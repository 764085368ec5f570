import type { PackageInfo } from '../package/package-info.js';
import { followedSides, repositoryMatcher, type FollowedDefaults, type FollowedSide } from '../webhook/push-match.js';
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
export type ChangedPackage = FollowedSide & { readonly side: ChangeSide };

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
  const found = followedSides(
    packages,
    branchName(target.targetBranch),
    repositoryMatcher(target.repositoryUrls, target.project),
    defaults,
  );
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
