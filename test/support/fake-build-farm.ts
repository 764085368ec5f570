import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * Stand-ins for the koji (brew, cbs), rhpkg, kinit and copr clients, POSIX shell scripts: neither
 * client nor farm can run here. Each run is recorded in `$FAKE_FARM_RECORD/run-<n>` (its arguments one per
 * line) and `run-<n>.cwd` (its working directory). What `build` does is `$FAKE_FARM_MODE`:
 *   ok        the task "runs" `rpmbuild --rebuild` on the uploaded source RPM (with
 *             `%{dist}` = `$FAKE_FARM_DIST`, default .el9), real RPMs kept for the download
 *   fail      the task fails with a %build error in its build log
 *   transient the task fails with a dnf download error in its root log
 *   timeout   prints the task/build id, then waits for ever (until killed)
 *   hang      (koji) waits for ever before any task id, as while uploading the source RPM
 *   silent-timeout  (koji, rhpkg) the task exists (`list-tasks --mine` lists it) but the client
 *             waits for ever before printing its id
 *   garbage   prints unrelated text and exits 0, without any task/build id
 *   killed    prints the task/build id, then kills itself with SIGKILL
 * The output lines are those the real clients print. `$FAKE_FARM_TAG_MODE=fail` fails koji's
 * tag-build; `$FAKE_FARM_DOWNLOAD=two-chroots` makes copr download two chroot directories. koji's
 * `mock-config --arch A --target T -o F` writes a configuration of the shape koji gives.
 */

const COMMON = `#!/bin/sh
record="$FAKE_FARM_RECORD"
n=1
while [ -e "$record/run-$n" ]; do n=$((n + 1)); done
: > "$record/run-$n"
for arg in "$@"; do printf '%s\\n' "$arg" >> "$record/run-$n"; done
pwd > "$record/run-$n.cwd"
mode="\${FAKE_FARM_MODE:-ok}"
dist="\${FAKE_FARM_DIST:-.el9}"
next_id() {
  id=$(cat "$record/next-id" 2>/dev/null || echo "$1")
  echo $((id + 1)) > "$record/next-id"
}
rebuild() {
  # rebuild <task dir> <srpm>: the farm's builder, here rpmbuild on this host
  rpmbuild --rebuild --nodeps --define "_topdir $1" --define "_tmppath $1/tmp" --define "dist $dist" \\
    --define 'use_source_date_epoch_as_buildtime 1' --define 'clamp_mtime_to_source_date_epoch 1' \\
    "$2" > "$1/build.log" 2>&1
}
# build_task <target> <srpm>: a koji build task as \`koji build --wait\` and \`rhpkg build\` watch it;
# each task is listed in $record/tasks as \`koji list-tasks --mine --quiet\` prints it.
build_task() {
  target="$1"; srpm="$2"
  name=$(basename "$srpm")
  if [ "$mode" = garbage ]; then
    echo "<html><body>502 Bad Gateway</body></html>"
    exit 0
  fi
  [ "$mode" = hang ] && { echo "Uploading srpm: $srpm"; sleep 600; exit 0; }
  if [ "$mode" = silent-timeout ]; then
    # a task exists, but the client hangs before it printed its id
    next_id 12345
    echo "$id 20 dlrn OPEN noarch build ($target, $name)" >> "$record/tasks"
    sleep 600; exit 0
  fi
  next_id 12345
  echo "$id 20 dlrn OPEN noarch build ($target, $name)" >> "$record/tasks"
  task="$record/task-$id"
  mkdir -p "$task/tmp"
  echo "Uploading srpm: $srpm"
  echo "[====================================] 100% 00:00:00  12.00 KiB  96.00 KiB/sec"
  echo "Created task: $id"
  echo "Task info: https://koji.example.org/koji/taskinfo?taskID=$id"
  echo "Watching tasks (this may be safely interrupted)..."
  echo "$id build ($target, $name): free"
  echo "$id build ($target, $name): free -> open (builder01.example.org)"
  case "$mode" in
  timeout) sleep 600; exit 0 ;;
  killed) kill -9 $$ ;;
  fail)
    printf 'Executing(%%build): /bin/sh -e /var/tmp/rpm-tmp.x\\nerror: Bad exit status from /var/tmp/rpm-tmp.x (%%build)\\n' > "$task/build.log"
    echo "DEBUG util.py:446:  Installed: gcc" > "$task/root.log"
    echo "$id build ($target, $name): open (builder01.example.org) -> FAILED: BuildError: error building package (arch noarch), mock exited with status 1; see build.log for more information"
    echo "  0 free  0 open  0 done  1 failed"
    echo ""
    echo "$id build ($target, $name) failed"
    exit 1 ;;
  transient)
    echo "ok" > "$task/build.log"
    printf 'DEBUG util.py:446:  Error downloading packages:\\nDEBUG util.py:446:    Curl error (7): Couldn'"'"'t connect to server\\n' > "$task/root.log"
    echo "$id build ($target, $name): open (builder01.example.org) -> FAILED: BuildError: error building package (arch noarch), mock exited with status 30; see root.log for more information"
    echo "$id build ($target, $name) failed"
    exit 1 ;;
  esac
  echo "DEBUG util.py:446:  Complete!" > "$task/root.log"
  if ! rebuild "$task" "$srpm"; then
    echo "$id build ($target, $name): open (builder01.example.org) -> FAILED: BuildError: error building package (arch noarch); see build.log for more information"
    echo "$id build ($target, $name) failed"
    exit 1
  fi
  echo "  $((id + 1)) buildArch ($name, noarch): open (builder01.example.org) -> closed"
  echo "  0 free  1 open  1 done  0 failed"
  echo "$id build ($target, $name): open (builder01.example.org) -> closed"
  echo "  0 free  0 open  2 done  0 failed"
  echo ""
  echo "$id build ($target, $name) completed successfully"
}
`;

const KOJI = `${COMMON}
while [ $# -gt 0 ]; do
  case "$1" in
    --principal|--keytab) shift 2 ;;
    *) break ;;
  esac
done
command="$1"; shift
case "$command" in
build)
  target=""; srpm=""
  for arg in "$@"; do
    case "$arg" in --*) ;; *) if [ -z "$target" ]; then target="$arg"; else srpm="$arg"; fi ;; esac
  done
  build_task "$target" "$srpm"
  ;;
download-task)
  id=""
  for arg in "$@"; do case "$arg" in --*) ;; *) id="$arg" ;; esac; done
  task="$record/task-$id"
  if [ ! -d "$task" ]; then echo "No such task: $id" >&2; exit 1; fi
  for f in "$task"/RPMS/*/*.rpm; do
    [ -e "$f" ] || continue
    echo "Downloading [1/1]: $(basename "$f")"
    cp "$f" .
  done
  for f in "$task"/*.log; do
    [ -e "$f" ] || continue
    base=$(basename "$f" .log)
    echo "Downloading [1/1]: $base.noarch.log"
    cp "$f" "./$base.noarch.log"
  done
  ;;
tag-build)
  if [ "\${FAKE_FARM_TAG_MODE:-ok}" = fail ]; then
    echo "GenericError: No such build: $2" >&2
    exit 1
  fi
  next_id 50000
  echo "Created task: $id"
  echo "Task info: https://koji.example.org/koji/taskinfo?taskID=$id"
  echo "Watching tasks (this may be safely interrupted)..."
  echo "$id tagBuild (noarch): free -> closed"
  echo "$id tagBuild (noarch) completed successfully"
  ;;
cancel) ;;
list-tasks) cat "$record/tasks" 2>/dev/null ;;
mock-config)
  while [ $# -gt 0 ]; do
    case "$1" in
      --arch) shift; arch="$1" ;;
      --target) shift; target="$1" ;;
      -o) shift; out="$1" ;;
    esac
    shift
  done
  cat > "$out" <<CFG
# Auto-generated by the Koji build system

config_opts['basedir'] = '/var/lib/mock'
config_opts['chroot_setup_cmd'] = 'install bash bzip2 coreutils cpio diffutils redhat-rpm-config rpm-build shadow-utils'
config_opts['chrootgid'] = 135
config_opts['root'] = '$target-build-4711-1234'
config_opts['target_arch'] = '$arch'
config_opts['dnf.conf'] = """
[main]
cachedir=/var/cache/yum
keepcache=0

[build]
name=build
baseurl=https://koji.example.org/kojifiles/repos/$target-build/4711/$arch
"""
CFG
  ;;
*) echo "Unknown command: $command" >&2; exit 2 ;;
esac
`;

const COPR = `${COMMON}
command="$1"; shift
case "$command" in
build)
  srpm="$2"
  if [ "$mode" = garbage ]; then
    echo "Traceback (most recent call last): nothing useful"
    exit 0
  fi
  next_id 7001
  build="$record/build-$id"
  mkdir -p "$build/tmp"
  echo "Uploading package $(basename "$srpm")"
  echo "100% |################################| 12.0 kB  96.0 kB/s eta 0:00:00"
  echo "Build was added to $1:"
  echo "  https://copr.fedorainfracloud.org/coprs/build/$id"
  echo "Created builds: $id"
  echo "Watching builds (this may be safely interrupted)..."
  echo "  09:00:01 Build $id: pending"
  echo "  09:00:31 Build $id: running"
  case "$mode" in
  timeout) sleep 600; exit 0 ;;
  killed) kill -9 $$ ;;
  fail)
    printf 'error: Bad exit status from /var/tmp/rpm-tmp.x (%%build)\\n' > "$build/builder-live.log"
    gzip "$build/builder-live.log"
    echo "  09:01:02 Build $id: failed"
    exit 1 ;;
  transient)
    printf 'Error downloading packages:\\n  Curl error (7): Couldn'"'"'t connect to server\\n' > "$build/builder-live.log"
    gzip "$build/builder-live.log"
    echo "  09:01:02 Build $id: failed"
    exit 1 ;;
  esac
  rebuild "$build" "$srpm" || { echo "  Build $id: failed"; exit 1; }
  cp "$build/build.log" "$build/builder-live.log"
  gzip "$build/builder-live.log"
  echo "backend ok" | gzip > "$build/backend.log.gz"
  echo "  09:01:02 Build $id: succeeded"
  ;;
download-build)
  dir="$2"; id="$3"
  build="$record/build-$id"
  if [ ! -d "$build" ]; then echo "Build $id does not exist." >&2; exit 1; fi
  chroot="$dir/fedora-rawhide-x86_64"
  mkdir -p "$chroot"
  [ "\${FAKE_FARM_DOWNLOAD:-one}" = two-chroots ] && mkdir -p "$dir/fedora-41-x86_64"
  for f in "$build"/RPMS/*/*.rpm "$build"/*.log.gz; do
    [ -e "$f" ] || continue
    cp "$f" "$chroot/"
  done
  echo '{"packages": []}' > "$chroot/results.json"
  echo "Build $id: downloading fedora-rawhide-x86_64"
  ;;
cancel) echo "Build $1 canceled" ;;
*) echo "Unknown command: $command" >&2; exit 2 ;;
esac
`;

/*
 * rhpkg, run in the package's dist-git: `import --skip-diff <srpm>` records the source RPM's
 * checksum in the `sources` file (as rhpkg does after its lookaside upload), `commit -p -m M`
 * commits it and pushes to origin, `build --skip-nvr-check [--scratch]` runs a koji task
 * (build_task, $FAKE_FARM_MODE) on the imported source RPM for $FAKE_RHPKG_TARGET.
 */
const RHPKG = `${COMMON}
command="$1"; shift
case "$command" in
import)
  srpm=""
  for arg in "$@"; do case "$arg" in --*) ;; *) srpm="$arg" ;; esac; done
  [ -f "$srpm" ] || { echo "Could not execute import: $srpm does not exist" >&2; exit 1; }
  sum=$(sha512sum "$srpm" | cut -d' ' -f1)
  echo "SHA512 ($(basename "$srpm")) = $sum" > sources
  git add sources
  echo "$srpm" > "$record/imported-srpm"
  echo "Uploading: $(basename "$srpm")"
  ;;
commit)
  push=""; message=""
  while [ $# -gt 0 ]; do
    case "$1" in -p|--push) push=1 ;; -m|--message) shift; message="$1" ;; esac
    shift
  done
  git -c user.name=rhpkg -c user.email=rhpkg@example.org commit -q -m "$message" || exit 1
  if [ -n "$push" ]; then git push -q origin HEAD || exit 1; fi
  ;;
build)
  [ -f "$record/imported-srpm" ] || { echo "Nothing was imported" >&2; exit 1; }
  build_task "\${FAKE_RHPKG_TARGET:-rhpkg-target}" "$(cat "$record/imported-srpm")"
  ;;
*) echo "Unknown command: $command" >&2; exit 2 ;;
esac
`;

/** kinit: records its arguments; `$FAKE_KINIT_MODE=fail` refuses the keytab as kinit does. */
const KINIT = `${COMMON}
if [ "\${FAKE_KINIT_MODE:-ok}" = fail ]; then
  echo "kinit: Keytab contains no suitable keys for $4 while getting initial credentials" >&2
  exit 1
fi
`;

function install(path: string, script: string): string {
  writeFileSync(path, script);
  chmodSync(path, 0o755);
  return path;
}

/** Writes a fake koji client as `<binDir>/<name>` (`koji`, or `cbs`, `brew`…); returns its path. */
export function installFakeKoji(binDir: string, name = 'koji'): string {
  return install(join(binDir, name), KOJI);
}

/** Writes a fake `copr` client into `binDir`; returns its path. */
export function installFakeCopr(binDir: string): string {
  return install(join(binDir, 'copr'), COPR);
}

/** Writes fake `rhpkg` and `kinit` into `binDir` (koji's rhpkg flow runs both from PATH). */
export function installFakeRhpkg(binDir: string): void {
  install(join(binDir, 'rhpkg'), RHPKG);
  install(join(binDir, 'kinit'), KINIT);
}

/** The environment the fakes read: `binDir` first on PATH, where to record, what to play. */
export function fakeFarmEnv(
  binDir: string,
  recordDir: string,
  mode: string,
  extra: Readonly<Record<string, string>> = {},
): NodeJS.ProcessEnv {
  return {
    PATH: `${binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    LC_ALL: 'C',
    FAKE_FARM_RECORD: recordDir,
    FAKE_FARM_MODE: mode,
    ...extra,
  };
}

export interface FarmCall {
  readonly argv: string[];
  readonly cwd: string;
}

/** Every run of a fake client, in order. */
export function farmCalls(recordDir: string): FarmCall[] {
  if (!existsSync(recordDir)) return [];
  return readdirSync(recordDir)
    .map((name) => /^run-(\d+)$/.exec(name)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b)
    .map((n) => ({
      argv: readFileSync(join(recordDir, `run-${n}`), 'utf8')
        .split('\n')
        .slice(0, -1),
      cwd: readFileSync(join(recordDir, `run-${n}.cwd`), 'utf8').trim(),
    }));
}
