#!/usr/bin/env bash
# The main job on the embedded default, from a fresh Debian machine: installs what it needs,
# then builds the generated demo: three packages from local git repositories, two passes,
# real RPMs and a dnf repository under demo/data/repos, one package breaking on the way.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
./bin/dlrn.js demo --dir demo "$@"
