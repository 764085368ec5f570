import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A stand-in for mock, a POSIX shell script named `mock`. Each run is recorded in
 * `<record>/run-<n>/` (arguments one per line, the configuration given with `-r`, and for
 * `--buildsrpm` the spec and the names in `--sources`); `<record>/argv` and `<record>/config` hold
 * the last run. `--buildsrpm` always succeeds: it writes `<Name>-<Version>-<Release>.src.rpm`
 * (read from the spec as plain text, `%{?dist}` as `.el9`) to --resultdir. `--rebuild` behaves as
 * `FAKE_MOCK_MODE` says: `ok` writes a fake noarch RPM and mock-like output to --resultdir; `fail`
 * prints a build error and exits 30; `transient` prints a dnf download error and exits 30;
 * `install-warning` builds like `ok` but prints the warning mock gives when built packages do
 * not install. The chroot is `<record>/root`: `-p` prints it, `--clean`/`--init` do nothing,
 * `--chroot LINE` runs LINE with `sh` (`/var/tmp/…` moved under the root, PATH=/usr/bin:/bin,
 * HOME inside; the line is kept in the run's `chroot` file), `--copyout` copies out of it.
 */
const SCRIPT = `#!/bin/sh
record="$FAKE_MOCK_RECORD"
n=1
while [ -e "$record/run-$n" ]; do n=$((n + 1)); done
run="$record/run-$n"
mkdir "$run"
: > "$run/argv"
for arg in "$@"; do printf '%s\\n' "$arg" >> "$run/argv"; done
cp "$run/argv" "$record/argv"
action=rebuild
while [ $# -gt 0 ]; do
  case "$1" in
    -r) shift; cp "$1" "$run/config"; cp "$1" "$record/config" ;;
    --resultdir) shift; out="$1" ;;
    --buildsrpm) action=buildsrpm ;;
    --spec) shift; spec="$1" ;;
    --sources) shift; sources="$1" ;;
    --clean|--init) action=noop ;;
    -p) action=print-root ;;
    --chroot) shift; action=chroot; line="$1" ;;
    --copyout) shift; action=copyout; from="$1"; shift; to="$1" ;;
  esac
  shift
done
# The chroot is a directory of the record; its commands run with the system's PATH (where a real
# chroot's python3, ruby and gem would be) and its own HOME, paths under /var/tmp moved into it.
root="$record/root"
case "$action" in
  noop) mkdir -p "$root"; exit 0 ;;
  print-root) mkdir -p "$root"; echo "$root"; exit 0 ;;
  chroot)
    printf '%s\n' "$line" > "$run/chroot"
    mkdir -p "$root/home"
    inside=$(printf '%s' "$line" | sed "s#/var/tmp/#$root/var/tmp/#g")
    HOME="$root/home" PATH=/usr/bin:/bin exec sh -c "$inside" ;;
  copyout) cp -r "$root$from" "$to"; exit 0 ;;
esac
echo "INFO: mock.py version 5.0 starting (python version = 3.11)..."
if [ "$action" = buildsrpm ]; then
  cp "$spec" "$run/spec"
  ls "$sources" > "$run/sources"
  name=$(sed -n 's/^Name:[[:space:]]*//p' "$spec" | head -n 1)
  version=$(sed -n 's/^Version:[[:space:]]*//p' "$spec" | head -n 1)
  release=$(sed -n 's/^Release:[[:space:]]*//p' "$spec" | head -n 1 | sed 's/%{?dist}/.el9/')
  printf 'fake srpm' > "$out/$name-$version-$release.src.rpm"
  echo "Wrote: /builddir/build/SRPMS/$name-$version-$release.src.rpm"
  echo "INFO: Finish: buildsrpm"
  exit 0
fi
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

export interface FakeMockRun {
  readonly argv: string[];
  readonly config: string;
  /** The spec given to `--buildsrpm`, as mock received it. */
  readonly spec: string | null;
  /** The file names of the `--sources` directory of a `--buildsrpm` run. */
  readonly sources: string[] | null;
  /** The command line of a `--chroot` run. */
  readonly chroot: string | null;
}

function readRun(dir: string): FakeMockRun {
  const optional = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8') : null);
  return {
    argv: readFileSync(join(dir, 'argv'), 'utf8').split('\n').slice(0, -1),
    config: optional('config') ?? '',
    spec: optional('spec'),
    sources: optional('sources')?.split('\n').slice(0, -1) ?? null,
    chroot: optional('chroot')?.replace(/\n$/, '') ?? null,
  };
}

/** Every run of the fake mock, in order; empty when it never ran. */
export function recordedRuns(recordDir: string): FakeMockRun[] {
  if (!existsSync(recordDir)) return [];
  const runs = readdirSync(recordDir)
    .map((name) => /^run-(\d+)$/.exec(name)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  return runs.map((n) => readRun(join(recordDir, `run-${n}`)));
}

/** What the fake mock was last run with, or null when it did not run. */
export function recordedRun(recordDir: string): { argv: string[]; config: string } | null {
  return recordedRuns(recordDir).at(-1) ?? null;
}
