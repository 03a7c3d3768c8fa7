#!/usr/bin/env bash
# Installs the Debian 12 packages orgd needs to build, test and benchmark, when missing.
# Usage: scripts/install-deps.sh [--test]
#   --test adds PostgreSQL, the benchmark tools, and clang with its sanitizer and libFuzzer
#   runtimes (libclang-rt-14-dev) and llvm-symbolizer for the checked build.
set -euo pipefail

packages=(build-essential cmake ninja-build pkg-config libboost1.81-dev libsqlite3-dev libpq-dev
          libssl-dev nlohmann-json3-dev libargon2-dev libgtest-dev curl jq)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(postgresql postgresql-contrib wrk clang libclang-rt-14-dev llvm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
