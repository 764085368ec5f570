/**
 * Checks of DLRN's `rsyncdest`/`rsync_known_hosts` values before anything runs. The destination
 * is one argument of rsync, but its path part is read again by the remote shell on the mirror,
 * so only the characters of ordinary paths pass.
 */

const USER = '[A-Za-z0-9_][A-Za-z0-9._-]*';
const HOST = '(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+\\])';
const PATH = '[A-Za-z0-9._~/+,=%@-]+';
const DESTINATION = new RegExp(`^(?:${USER}@)?${HOST}:(?!-)${PATH}$`);

/** Why `rsyncdest` is not `user@host:path` or `host:path`, or null when it is. */
export function rsyncDestinationProblem(value: string): string | null {
  // `host::module` is rsync's daemon syntax; an IPv6 address in brackets is not.
  if (value.replace(/\[[^\]]*\]/, '[]').includes('::') || /^rsync:\/\//i.test(value))
    return `${JSON.stringify(value)}: rsync daemon destinations are not supported; use user@host:path (rsync over ssh, as DLRN)`;
  if (!value.includes(':'))
    return `${JSON.stringify(value)} is not a remote destination: use user@host:path or host:path (rsync over ssh, as DLRN)`;
  if (!DESTINATION.test(value))
    return `${JSON.stringify(value)}: expected user@host:path or host:path, the path made of letters, digits and . _ ~ / + , = % @ -`;
  return null;
}

/**
 * Why a known-hosts path cannot go into rsync's `-e` command line (rsync splits it on blanks
 * and quotes), or null.
 */
export function knownHostsPathProblem(path: string): string | null {
  if (/[\s'"\\]/.test(path))
    return `${JSON.stringify(path)}: blanks, quotes and backslashes cannot be passed to ssh through rsync -e`;
  return null;
}
