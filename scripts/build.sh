#!/usr/bin/env bash
# Configures and builds orgd. Usage: scripts/build.sh [--tests | --checked] [cmake -D options...]
#   (none)     build/orgd only: g++, RelWithDebInfo (what scripts/run.sh runs and benchmarks measure)
#   --tests    build/: the same build plus every test suite
#   --checked  build-checked/: clang with AddressSanitizer + UndefinedBehaviorSanitizer, libFuzzer
#              instrumentation, -Werror, every test suite and the fuzz targets of fuzz/; what the
#              test command (scripts/test.sh) and scripts/fuzz.sh run
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-}"
if [[ "$mode" == "--tests" || "$mode" == "--checked" ]]; then shift; fi
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

if [[ "$mode" == "--checked" ]]; then
  # -O1 -g1: sanitizer reports with file:line, at a fraction of the compile time of -O2 -g.
  CC=clang CXX=clang++ cmake -S . -B build-checked -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" -DORGD_WERROR=ON -DORGD_BUILD_TESTS=ON \
    -DORGD_FUZZ=ON -DORGD_SANITIZE=address,undefined "${launcher[@]}" "$@" >/dev/null
  cmake --build build-checked -j"$(nproc)"
  exit 0
fi

tests=OFF
[[ "$mode" == "--tests" ]] && tests=ON
# No -Werror here: a newer compiler's new warning must not stop a user's build. The checked build
# (CI) and developers' builds (-DORGD_WERROR=ON) keep warnings at zero.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" -DORGD_WERROR=OFF \
  -DORGD_BUILD_TESTS=$tests "${launcher[@]}" "$@" >/dev/null
if [[ $tests == ON ]]; then
  cmake --build build -j"$(nproc)"
else
  cmake --build build -j"$(nproc)" --target orgd
fi
