#!/usr/bin/env bash
# Installs what the project needs on a Debian machine (run as root): Debian packages for the
# build loop, the tests and the benches (wrk), the npm packages, and the compiled CLI. Safe to run
# again. DLRN_WITH_POSTGRES=1 (the test command) adds what only the tests use: PostgreSQL when
# none is installed, nginx and dnf (the repositories served to a real dnf, through nginx too).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pkg in git rpm createrepo-c chromium wrk; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ "${DLRN_WITH_POSTGRES:-0}" = 1 ]; then
  command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
  for pkg in nginx dnf; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
  done
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "install-deps: apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The tests start their own nginx: Debian's would start on port 80 as it is installed, and fail
  # the install when that port is taken. policy-rc.d keeps every service down during the install
  # (ensure-postgres.sh starts PostgreSQL itself).
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod +x "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get install -y -qq "${need[@]}" >/dev/null
  rm -f "$policy"
  trap - EXIT
fi

if [ "${DLRN_WITH_POSTGRES:-0}" = 1 ]; then
  bash scripts/ensure-postgres.sh
fi

stamp=node_modules/.install-stamp
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  echo "install-deps: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi

echo "install-deps: npm run build"
npm run -s build
