#!/usr/bin/env bash
# The main job on the embedded default, from a fresh Debian machine: installs what it needs,
# then loads the example configuration and lists the packages it resolves.
# (The build pass itself — `dlrn --config-file …` — arrives with the build loop.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
node bin/dlrn.js config check --config-file examples/projects.ini --info-repo examples/rdoinfo "$@"
