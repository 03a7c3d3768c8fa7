#!/usr/bin/env bash
# Runs the libFuzzer targets of fuzz/ from the checked build (scripts/build.sh --checked: clang,
# -fsanitize=fuzzer,address,undefined), each for SECONDS (default 10) from its seed corpus in
# fuzz/corpus/<target>. New inputs go to build-checked/fuzz-corpus/<target>; a crash stops the run
# with the reproducer's path and a non-zero exit.
# Usage: scripts/fuzz.sh [--no-build] [SECONDS] [TARGET ...]
#   scripts/fuzz.sh 3600 jwt_fuzzer      # one target for an hour
#   scripts/fuzz.sh --no-build 5         # the test command's smoke run: every target, 5 s each
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
build=1
if [[ "${1:-}" == "--no-build" ]]; then build=0; shift; fi
seconds="${1:-10}"
shift || true
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=(http_request_fuzzer api_body_fuzzer token_form_fuzzer jwt_fuzzer multipart_fuzzer
           import_line_fuzzer)
fi

if [[ $build -eq 1 ]]; then
  scripts/install-deps.sh --test
  scripts/build.sh --checked
fi

B=build-checked
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
for target in "${targets[@]}"; do
  out="$B/fuzz-corpus/$target"
  mkdir -p "$out" "$B/fuzz-crashes"
  echo "== $target: ${seconds}s"
  log="$B/fuzz-$target.log"
  status=0
  "$B/fuzz/$target" -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=20 \
    -print_final_stats=1 -artifact_prefix="$B/fuzz-crashes/$target-" \
    "$out" "$ROOT/fuzz/corpus/$target" >"$log" 2>&1 || status=$?
  grep -E "^#[0-9]+ +DONE|^stat::(number_of_executed_units|peak_rss_mb)|ERROR|SUMMARY|Test unit written" "$log" | tail -n 8 || true
  if [[ $status -ne 0 ]]; then
    tail -n 40 "$log" >&2
    echo "$target failed (exit $status); reproducers in $B/fuzz-crashes/" >&2
    exit "$status"
  fi
done
echo "fuzz: ${#targets[@]} targets ran ${seconds}s each without a finding"
