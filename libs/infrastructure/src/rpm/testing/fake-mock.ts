import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A stand-in for mock, a POSIX shell script named `mock`. It records its arguments (one per line)
 * and the configuration file given with `-r`, then behaves as `FAKE_MOCK_MODE` says:
 * `ok` writes a fake noarch RPM and mock-like output to --resultdir; `fail` prints a build
 * error and exits 30; `transient` prints a dnf download error and exits 30; `install-warning`
 * builds like `ok` but prints the warning mock gives when built packages do not install.
 */
const SCRIPT = `#!/bin/sh
record="$FAKE_MOCK_RECORD"
: > "$record/argv"
for arg in "$@"; do printf '%s\\n' "$arg" >> "$record/argv"; done
while [ $# -gt 0 ]; do
  case "$1" in
    -r) shift; cp "$1" "$record/config" ;;
    --resultdir) shift; out="$1" ;;
  esac
  shift
done
echo "INFO: mock.py version 5.0 starting (python version = 3.11)..."
case "$FAKE_MOCK_MODE" in
  fail)
    echo "ERROR: Exception(/out/dlrn-hello.src.rpm) Config(dlrn-1) 0 minutes 3 seconds"
    echo "error: Bad exit status from /var/tmp/rpm-tmp.x (%build)" >&2
    exit 30 ;;
  transient)
    echo "Error downloading packages:" >&2
    echo "  Curl error (7): Couldn't connect to server" >&2
    exit 30 ;;
esac
printf 'fake rpm' > "$out/dlrn-hello-1.2.1-0.1.el9.noarch.rpm"
echo "Wrote: /builddir/build/RPMS/dlrn-hello-1.2.1-0.1.el9.noarch.rpm"
if [ "$FAKE_MOCK_MODE" = install-warning ]; then
  echo "WARNING: Failed install built packages"
fi
echo "INFO: Finish: rebuild srpm"
`;

/** Writes the fake `mock` into `binDir` (to be put first on PATH). */
export function installFakeMock(binDir: string): void {
  const path = join(binDir, 'mock');
  writeFileSync(path, SCRIPT);
  chmodSync(path, 0o755);
}

export function fakeMockEnv(binDir: string, recordDir: string, mode: string): NodeJS.ProcessEnv {
  return {
    PATH: `${binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    LC_ALL: 'C',
    FAKE_MOCK_RECORD: recordDir,
    FAKE_MOCK_MODE: mode,
  };
}

/** What the fake mock was run with, or null when it did not run. */
export function recordedRun(recordDir: string): { argv: string[]; config: string } | null {
  if (!existsSync(join(recordDir, 'argv'))) return null;
  return {
    argv: readFileSync(join(recordDir, 'argv'), 'utf8').split('\n').slice(0, -1),
    config: readFileSync(join(recordDir, 'config'), 'utf8'),
  };
}
