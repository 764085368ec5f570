#!/usr/bin/env bash
# Installs what the project needs (run as root), then the npm packages and the compiled CLI.
# Safe to run again.
# - Always: git, rpm (rpmbuild) and createrepo_c: what a build pass runs; python3-pbr,
#   python3-setuptools and ruby for python (setup.py sdist) and gem upstreams.
# - DLRN_FOR_TESTS=1 (the test command; DLRN_WITH_POSTGRES=1 is the old name): what only the
#   tests and benches use: Chromium (the pages), wrk (benches), nginx and dnf (repositories served
#   to a real dnf), openssh-server, openssh-client and rsync (rsyncdest's tests push to an sshd
#   they start), PostgreSQL when none is installed, and MariaDB (import-db's tests) when
#   nothing answers on 127.0.0.1:3306 and none is installed.
# Debian/Ubuntu through apt-get; Fedora, CentOS Stream and RHEL through dnf for the build pass
# (the test command's extras are Debian packages: it needs apt-get).
set -euo pipefail
cd "$(dirname "$0")/.."
for_tests=${DLRN_FOR_TESTS:-${DLRN_WITH_POSTGRES:-0}}

if command -v apt-get >/dev/null 2>&1; then
  need=()
  wanted=(git rpm createrepo-c python3-pbr python3-setuptools ruby)
  [ "$for_tests" = 1 ] && wanted+=(chromium wrk nginx dnf openssh-server openssh-client rsync)
  for pkg in "${wanted[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
  done
  if [ "$for_tests" = 1 ] && ! command -v pg_ctlcluster >/dev/null 2>&1; then need+=(postgresql); fi
  if [ "$for_tests" = 1 ] && ! (exec 3<>/dev/tcp/127.0.0.1/3306) 2>/dev/null && ! command -v mariadbd >/dev/null 2>&1; then
    need+=(mariadb-server)
  fi
  if [ ${#need[@]} -gt 0 ]; then
    echo "install-deps: apt-get install ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # The tests start their own nginx and sshd: Debian's would start on ports 80 and 22 as they
    # are installed, and fail the install when a port is taken. policy-rc.d keeps every service down during the
    # install (ensure-postgres.sh and ensure-mariadb.sh start their servers themselves).
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
elif command -v dnf >/dev/null 2>&1; then
  if [ "$for_tests" = 1 ]; then
    echo "install-deps: the test command installs Debian packages (apt-get); on this system run the build pass (scripts/start.sh) only" >&2
    exit 1
  fi
  need=()
  for pkg in git rpm-build createrepo_c python3-pbr python3-setuptools ruby rubygems; do
    rpm -q "$pkg" >/dev/null 2>&1 || need+=("$pkg")
  done
  if [ ${#need[@]} -gt 0 ]; then
    echo "install-deps: dnf install ${need[*]}"
    dnf install -y -q "${need[@]}"
  fi
else
  echo "install-deps: neither apt-get nor dnf: install git, rpmbuild and createrepo_c, then run npm ci and npm run build" >&2
  exit 1
fi

if [ "$for_tests" = 1 ]; then
  bash scripts/ensure-postgres.sh
  bash scripts/ensure-mariadb.sh
fi

stamp=node_modules/.install-stamp
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  echo "install-deps: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi

echo "install-deps: npm run build"
npm run -s build
