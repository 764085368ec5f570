/**
 * `--log-commands` (DLRN's flag): every program the service runs (git, rpmbuild, mock,
 * createrepo_c, rpmspec, the review script) is printed before it starts. One process-wide sink,
 * set by the CLI; the command runners call `traceCommand`. The line is for reading only: the
 * programs run from argument arrays, never through a shell.
 */
let sink: ((line: string) => void) | null = null;

export function traceCommandsTo(next: ((line: string) => void) | null): void {
  sink = next;
}

/** `+ git -C /x fetch origin` as a shell would show it, quoting only where a reader needs it. */
export function traceCommand(command: string, args: readonly string[], cwd?: string): void {
  if (sink === null) return;
  const words = [command, ...args].map((word) =>
    /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`,
  );
  sink(`+ ${words.join(' ')}${cwd === undefined ? '' : `   (in ${cwd})`}`);
}
