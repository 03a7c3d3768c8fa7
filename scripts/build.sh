#!/usr/bin/env bash
# Configures and builds orgd into ./build. Usage: scripts/build.sh [--tests] [cmake -D options...]
# Without --tests only the server binary (build/orgd) is built.
set -euo pipefail
cd "$(dirname "$0")/.."
tests=OFF
if [[ "${1:-}" == "--tests" ]]; then tests=ON; shift; fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" -DORGD_WERROR=ON \
  -DORGD_BUILD_TESTS=$tests "$@" >/dev/null
if [[ $tests == ON ]]; then
  cmake --build build -j"$(nproc)"
else
  cmake --build build -j"$(nproc)" --target orgd
fi
