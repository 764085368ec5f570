#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine: installs what it needs, then runs the
# static checks (types, lint, format) and every vitest test, and ends with one plain line
# `N passed, N failed[, N skipped]` (each static check counts as one test); a red run names each
# failing test (and static check) in the lines just above it.
set -uo pipefail
cd "$(dirname "$0")/.."
DLRN_FOR_TESTS=1 bash scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

static_failed=0
static_passed=0
static_failed_names=
run_check() {
  local name=$1
  shift
  echo "== $name"
  if "$@"; then static_passed=$((static_passed + 1)); else echo "!! $name failed"; static_failed=$((static_failed + 1)); static_failed_names="$static_failed_names $name"; fi
}
run_check typecheck npx tsc -p tsconfig.json --noEmit
run_check lint npx eslint . --max-warnings=0
run_check format npx prettier --check . --log-level=warn

echo "== vitest"
# Every temporary file of the run goes under one directory, removed when the run ends: specs and
# the `dlrn` processes they spawn make their own with mkdtemp and need not each remember to clean
# up (a long-lived CI machine's /tmp stays as it was). Sticky and world-writable, as /tmp is.
TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/dlrn-tests.XXXXXX") && chmod 1777 "$TMPDIR" && export TMPDIR
trap 'rm -rf --one-file-system "$TMPDIR"' EXIT
results=.test-results.json
rm -f "$results"
npx vitest run --reporter=default --reporter=json --outputFile.json="$results"
vitest_status=$?

# A process the suite started and did not stop (a `dlrn` a worker left behind when it was torn
# down, a build command in its own process group) would outlive the run and write into a removed
# TMPDIR. Each one carries this run's TMPDIR in its environment: name it, and stop it.
leftovers() {
  local environ pid
  for environ in /proc/[0-9]*/environ; do
    pid=${environ#/proc/}
    pid=${pid%/environ}
    [ "$pid" = "$$" ] && continue
    grep -qzxF "TMPDIR=$TMPDIR" "$environ" 2>/dev/null && [ -e "/proc/$pid" ] && echo "$pid"
  done
}
left=$(leftovers)
if [ -n "$left" ]; then
  for pid in $left; do echo "test.sh: a process outlived the suite, stopped: $pid $(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | cut -c1-200)"; done
  kill -TERM $left 2>/dev/null
  sleep 2
  left=$(leftovers)
  [ -n "$left" ] && kill -KILL $left 2>/dev/null
fi

summary=$(node -e '
  const fs = require("node:fs");
  const [file, sp, sf, status] = process.argv.slice(1);
  let passed = +sp, failed = +sf, skipped = 0;
  if (fs.existsSync(file)) {
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + r.numTodoTests;
    if (+status !== 0 && r.numFailedTests === 0) failed += 1; // a suite that failed to load
    // A red run names what failed in its last lines, above the summary.
    for (const suite of r.testResults ?? []) {
      const file = suite.name.replace(process.cwd() + "/", "");
      const tests = (suite.assertionResults ?? []).filter((t) => t.status === "failed");
      for (const t of tests) console.log(`FAILED ${file} > ${t.fullName}`);
      if (tests.length === 0 && suite.status === "failed") console.log(`FAILED ${file} (did not load: ${String(suite.message).split("\n")[0]})`);
    }
  } else if (+status !== 0) failed += 1;
  console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$results" "$static_passed" "$static_failed" "$vitest_status")
for name in $static_failed_names; do echo "FAILED static check: $name"; done
echo "$summary"
case "${summary##*$'\n'}" in *" 0 failed"*) exit 0 ;; *) exit 1 ;; esac
