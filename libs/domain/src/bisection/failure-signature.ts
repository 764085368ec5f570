/**
 * What a failed build's logs say went wrong, with everything that differs between two builds of
 * the same breakage taken out: the error lines (and the shell command traced just before each),
 * normalized — paths, build directories, temporary file names, hashes, dates, times and numbers
 * replaced by placeholders, case and spacing folded. Two failures are "the same" for a
 * bisection when their signatures are equal.
 */
export interface FailureSignature {
  /** Normalized error lines, in order of first appearance, without repeats. */
  readonly lines: readonly string[];
}

/** Lines that say something failed (rpmbuild, mock, make, the shell, git, our own notes). */
const ERROR_LINE =
  /\b(error|errors|fatal|failed|failure|cannot|can't|could not|no such file|not found|denied|bad exit status|undefined reference|traceback|exception)\b/i;

/**
 * rpmbuild's and mock's noise around an error, which never tells one breakage from another. (Mock's
 * `Child return code was: 1` holds no error word: it is never an error line.)
 */
const NOISE = [/^RPM build errors:$/i, /^EXCEPTION: \[Error\(\)\]$/i];

/** At most this many lines: a log full of errors still gives a comparable, bounded signature. */
const MAX_LINES = 40;
/** Longer lines are cut: the start says what failed. */
const MAX_LINE = 300;

export function failureSignature(log: string): FailureSignature {
  const lines: string[] = [];
  const seen = new Set<string>();
  let traced: string | null = null;
  const add = (line: string) => {
    const normalized = normalizeLine(line);
    // Never empty: a traced command and an error line hold text, and every replacement leaves some.
    if (seen.has(normalized) || lines.length >= MAX_LINES) return;
    seen.add(normalized);
    lines.push(normalized);
  };
  for (const raw of log.split(/\r?\n/)) {
    const line = stripPrefix(raw).trim();
    // `+ cmd`: the shell's trace of the command a section ran (rpmbuild runs them with set -x).
    if (/^\++ /.test(line)) {
      traced = line;
      continue;
    }
    // An empty line holds no error word.
    if (!ERROR_LINE.test(line) || NOISE.some((noise) => noise.test(line))) continue;
    if (traced !== null) add(traced);
    traced = null;
    add(line);
  }
  return { lines };
}

/** Whether two failures read as the same breakage (equal, non-empty signatures). */
export function sameFailure(a: FailureSignature, b: FailureSignature): boolean {
  return a.lines.length > 0 && a.lines.length === b.lines.length && a.lines.every((line, i) => line === b.lines[i]);
}

/** A log line's timestamp or level prefix (`2026-12-05 01:02:03,456 - INFO - `, `DEBUG util.py:446:`). */
function stripPrefix(line: string): string {
  return line
    .replace(/^\s*\[?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?\]?\s*(?:-\s*)?/, '')
    .replace(/^(?:DEBUG|INFO|WARNING|ERROR|CRITICAL)\s+-\s+/, '')
    .replace(/^(?:DEBUG|INFO|WARNING|ERROR|CRITICAL)\s+[\w.]+:\d+:\s*/, '');
}

function normalizeLine(line: string): string {
  return (
    line
      // Dates and times first: their digits would otherwise become bare numbers.
      .replace(/\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/g, '<time>')
      .replace(/\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b/g, '<time>')
      // Absolute and relative paths (build dirs, rpm-tmp.XXXXXX, /tmp/dlrn-rpmbuild-host.pid-XXXX).
      .replace(/(?:[\w.+~@-]*\/)+[\w.+~@-]*/g, '<path>')
      // Commit hashes and other long hexadecimal ids.
      .replace(/\b[0-9a-f]{7,64}\b/gi, '<hash>')
      // Any number left (line numbers, pids, sizes, versions' digits, exit codes).
      .replace(/\d+/g, '<n>')
      .replace(/\s+/g, ' ')
      .trim()
      .toLowerCase()
      .slice(0, MAX_LINE)
  );
}
