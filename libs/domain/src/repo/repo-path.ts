import type { CommitRef } from '../build/commit-ref.js';

/**
 * The hashed repository directory of a build, relative to `<datadir>/repos`, exactly as DLRN's
 * `Commit.getshardedcommitdir()` computes it:
 * `[component/<c>/]<c[0:2]>/<c[2:4]>/<commit>[_<distro[0:8]>][_<ext>]`.
 */
export function shardedRepoDir(ref: CommitRef & { readonly component?: string | null }): string {
  const component =
    ref.component !== undefined && ref.component !== null && ref.component !== 'None'
      ? `component/${ref.component}/`
      : '';
  const distro = ref.distroHash ? `_${ref.distroHash.slice(0, 8)}` : '';
  return `${component}${ref.commitHash.slice(0, 2)}/${ref.commitHash.slice(2, 4)}/${ref.commitHash}${distro}${extendedSuffix(ref.extendedHash)}`;
}

/** `<ext>` of the path: 8 chars, or 8 + `_` + chars 41..49 for two SHAs joined by `_`. */
function extendedSuffix(extendedHash: string | null): string {
  if (!extendedHash) return '';
  if (extendedHash.length < 49) return `_${extendedHash.slice(0, 8)}`;
  return `_${extendedHash.slice(0, 8)}_${extendedHash.slice(41, 49)}`;
}

/** What DLRN's API calls `repo_hash`: `<commit>_<distro[0:8]>`, without the extended part. */
export function repoHash(ref: Pick<CommitRef, 'commitHash' | 'distroHash'>): string {
  return `${ref.commitHash}_${ref.distroHash.slice(0, 8)}`;
}

/** Contents of `<reponame>.repo` in a hashed directory (§1.10): `\n` line ends, no blank line. */
export function repoFileContents(options: {
  readonly reponame: string;
  readonly packageName: string;
  readonly commitHash: string;
  readonly baseurl: string;
  readonly repoDir: string;
  readonly component?: string | null;
}): string {
  const section =
    options.component && options.component !== 'None'
      ? `${options.reponame}-component-${options.component}`
      : options.reponame;
  const base = options.baseurl.endsWith('/') ? options.baseurl.slice(0, -1) : options.baseurl;
  return [
    `[${section}]`,
    `name=${options.reponame}-${options.packageName}-${options.commitHash}`,
    `baseurl=${base}/${options.repoDir}`,
    'enabled=1',
    'gpgcheck=0',
    'priority=1',
    '',
  ].join('\n');
}
