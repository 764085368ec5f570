#!/usr/bin/env bash
# Installs what the project needs on a Debian machine (run as root): Debian packages for the
# build loop, the tests and the benches (wrk), the npm packages, and the compiled CLI. Safe to run
# again.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pkg in git rpm createrepo-c chromium wrk; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ "${DLRN_WITH_POSTGRES:-0}" = 1 ] && ! command -v pg_ctlcluster >/dev/null 2>&1; then
  need+=(postgresql)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "install-deps: apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
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
