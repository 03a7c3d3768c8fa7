#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (-fsanitize=fuzzer,address,undefined) into
# build-fuzz and runs each for SECONDS (default 10) from its seed corpus in fuzz/corpus/<target>.
# New inputs go to build-fuzz/corpus/<target>; a crash stops the run with the reproducer's path
# and a non-zero exit. Usage: scripts/fuzz.sh [SECONDS] [TARGET ...]
#   scripts/fuzz.sh 3600 jwt_fuzzer      # one target for an hour
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
seconds="${1:-10}"
shift || true
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=(http_request_fuzzer api_body_fuzzer token_form_fuzzer jwt_fuzzer multipart_fuzzer
           import_line_fuzzer)
fi

if ! command -v clang++ >/dev/null || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq clang libclang-rt-14-dev >/dev/null
fi

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DORGD_FUZZ=ON -DORGD_BUILD_TESTS=OFF -DORGD_SANITIZE=address,undefined "${launcher[@]}" >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]}"

export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
for target in "${targets[@]}"; do
  out="build-fuzz/corpus/$target"
  mkdir -p "$out" build-fuzz/crashes
  echo "== $target: ${seconds}s"
  log="build-fuzz/$target.log"
  status=0
  "build-fuzz/fuzz/$target" -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=20 \
    -print_final_stats=1 -artifact_prefix="build-fuzz/crashes/$target-" \
    "$out" "$ROOT/fuzz/corpus/$target" >"$log" 2>&1 || status=$?
  grep -E "^#[0-9]+ +DONE|^stat::(number_of_executed_units|peak_rss_mb)|ERROR|SUMMARY|Test unit written" "$log" | tail -n 8 || true
  if [[ $status -ne 0 ]]; then
    tail -n 40 "$log" >&2
    echo "$target failed (exit $status); reproducers in build-fuzz/crashes/" >&2
    exit "$status"
  fi
done
echo "fuzz: ${#targets[@]} targets ran ${seconds}s each without a finding"
