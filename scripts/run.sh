#!/usr/bin/env bash
# README command 1: installs what is missing, builds, and runs orgd on its embedded SQLite default
# (./orgd.db, http://127.0.0.1:3001). On first start it prints the admin client's credentials.
# Extra arguments go to `orgd serve` (e.g. --listen 127.0.0.1:4000).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec build/orgd serve "$@"
