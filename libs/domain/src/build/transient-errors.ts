/**
 * DLRN's known transient errors (`dlrn/utils.py`, `re_known_errors`), verbatim: a failed build
 * whose log has a line matching one of these is retried (up to `maxretries`) instead of failed.
 * The dots of the distroinfo alternative are unescaped in DLRN and match any character; kept so.
 */
const KNOWN_TRANSIENT_ERRORS = [
  'Error: Nothing to do',
  'Error downloading packages',
  'No more mirrors to try',
  'Cannot retrieve metalink for repository',
  'Could not retrieve mirrorlist',
  'Failed to synchronize cache for repo',
  'No route to host',
  'Device or resource busy',
  'Could not resolve host',
  'Temporary failure in name resolution',
  'distroinfo.exception.CommandFailed: Command failed with return code 128: git',
  'Error fetching remote',
  'Connection timed out',
];

const KNOWN_TRANSIENT_ERROR = new RegExp(KNOWN_TRANSIENT_ERRORS.map((e) => `(${e})`).join('|'));

/** The first log line (trimmed) that shows a transient error, or null. */
export function findTransientError(log: string): string | null {
  for (const raw of log.split('\n')) {
    const line = raw.trim();
    if (KNOWN_TRANSIENT_ERROR.test(line)) return line;
  }
  return null;
}
