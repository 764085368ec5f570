/** What the pages need from projects.ini, taken once from the configuration. */
export interface ReportSettings {
  readonly projectName: string;
  readonly reponame: string | null;
  readonly target: string | null;
  readonly source: string | null;
  /** Where `<datadir>/repos` is published; null: no links into the repositories. */
  readonly baseurl: string | null;
  /** The downstream driver adds the Import Source column (versions.csv URL) to report.html. */
  readonly downstream: boolean;
}

/** Python's `str()` of a possibly-None value, as DLRN's templates print it. */
export function pythonStr(value: string | number | null | undefined): string {
  return value === null || value === undefined ? 'None' : String(value);
}

/** Jinja's `capitalize`: first character upper-case, the rest lower-case (None prints `None`). */
export function capitalize(value: string | null): string {
  const text = pythonStr(value);
  return text.charAt(0).toUpperCase() + text.slice(1).toLowerCase();
}

/** DLRN's `strftime` filter: UTC `%Y-%m-%d %H:%M:%S`; empty for a missing time. */
export function utcDateTime(epochSeconds: number | null | undefined): string {
  if (epochSeconds === null || epochSeconds === undefined || !Number.isFinite(epochSeconds)) return '';
  return new Date(Math.trunc(epochSeconds) * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * DLRN's `get_commit_url` (§7.1): the prefix the commit SHA is appended to. cgit for
 * git.openstack.org, `/commit/` for github.com and opendev.org, empty when the package has no
 * upstream. Beyond DLRN: GitLab (`/-/commit/`), Pagure (`/c/`) and Gitea/Forgejo (`/commit/`)
 * hosts, recognised by name; the raw URL otherwise, as DLRN.
 */
export function commitUrlPrefix(upstream: string | null | undefined): string {
  if (!upstream) return '';
  let url: URL;
  try {
    url = new URL(upstream);
  } catch {
    return upstream;
  }
  // urlsplit's netloc keeps user info and port; hosts match only when written plainly.
  const netloc = upstream.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split(/[/?#]/, 1)[0];
  if (netloc === 'git.openstack.org') return `http://git.openstack.org/cgit${url.pathname}/commit/?id=`;
  if (netloc === 'github.com') return `https://github.com${url.pathname}/commit/`;
  if (netloc === 'opendev.org') return `https://opendev.org${url.pathname}/commit/`;
  // Forges DLRN does not know, where its raw URL glued to the hash leads nowhere (ours).
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return upstream;
  const host = url.hostname.toLowerCase();
  const repo = `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '').replace(/\.git$/, '')}`;
  if (host === 'gitlab.com' || host.startsWith('gitlab.') || host.includes('.gitlab.')) return `${repo}/-/commit/`;
  if (host === 'pagure.io' || host === 'src.fedoraproject.org' || host.startsWith('pagure.')) return `${repo}/c/`;
  if (['codeberg.org', 'gitea.com'].includes(host) || /^(gitea|forgejo)\./.test(host)) return `${repo}/commit/`;
  return upstream;
}

/** Whole days (floored) from `since` to `now`, both epoch seconds. */
export function daysBetween(since: number, now: number): number {
  return Math.floor((now - since) / 86_400);
}

function srpmName(artifacts: readonly string[]): string | null {
  const srpm = artifacts.find((a) => a.includes('.src.rpm'));
  return srpm === undefined ? null : srpm.slice(srpm.lastIndexOf('/') + 1);
}

/** The version DLRN's report page shows: the first `-<digits and dots>` of the source RPM name. */
export function versionOfArtifacts(artifacts: readonly string[]): string {
  const name = srpmName(artifacts);
  const match = name === null ? null : /-(\d+|\.)+/.exec(name);
  return match ? match[0].replace('-', '') : '';
}

/** The release DLRN's report page shows: `<n>.<14-digit date>.<7-hex hash>.<dist>`. */
export function releaseOfArtifacts(artifacts: readonly string[]): string {
  const name = srpmName(artifacts);
  const match = name === null ? null : /\d+\.[0-9]{14}.[0-9a-f]{7}\.\w+/.exec(name);
  return match ? match[0] : '';
}

/** `<commit>_<distro[0:8]>`, how DLRN names a repository in its vote pages. */
export function shortRepoHash(commitHash: string, distroHash: string): string {
  return `${commitHash}_${distroHash.slice(0, 8)}`;
}
