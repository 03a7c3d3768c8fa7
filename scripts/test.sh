#!/usr/bin/env bash
# README command 2: installs what is missing, builds orgd, its tests and its fuzz targets in the
# checked build (build-checked/: clang, AddressSanitizer + UndefinedBehaviorSanitizer, libFuzzer),
# starts a throw-away PostgreSQL cluster on 127.0.0.1 (free port, unprivileged user) for the suites'
# postgres backend, runs every test with ctest, then the SDK suites of tests/sdk (npm ci +
# node --test) against the checked orgd, then each fuzz target for a few seconds, and stops the
# cluster afterwards, also on failure. Any sanitizer report fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
scripts/install-deps.sh --test
scripts/check-layering.sh
scripts/build.sh --checked

# --- throw-away PostgreSQL -------------------------------------------------------------------
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
PGDIR="$(mktemp -d /tmp/orgd-pg.XXXXXX)"
PGUSER_OS="$(id -un)"
if [[ $(id -u) -eq 0 ]]; then
  PGUSER_OS=postgres   # initdb refuses to run as root
  chown "$PGUSER_OS" "$PGDIR"
fi
as_pg() { if [[ $(id -u) -eq 0 ]]; then su -s /bin/bash "$PGUSER_OS" -c "$*"; else bash -c "$*"; fi; }
stop_pg() {
  as_pg "'$PGBIN/pg_ctl' -D '$PGDIR/data' -m immediate stop" >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
trap stop_pg EXIT
PGPORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
as_pg "'$PGBIN/initdb' -D '$PGDIR/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
as_pg "'$PGBIN/pg_ctl' -D '$PGDIR/data' -l '$PGDIR/log' -w -o \"-p $PGPORT -k '$PGDIR' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" start" >/dev/null
export ORGD_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$PGPORT/postgres"
# How the restart-under-load test (tests/multiprocess/pg_restart_test, which ctest runs alone)
# restarts this cluster: a fast shutdown, then a start with the same options, returning once the
# server accepts connections again.
ORGD_TEST_PG_RESTART="'$PGBIN/pg_ctl' -D '$PGDIR/data' -l '$PGDIR/log' -m fast -w restart >/dev/null"
if [[ $(id -u) -eq 0 ]]; then
  ORGD_TEST_PG_RESTART="su -s /bin/bash $PGUSER_OS -c \"$ORGD_TEST_PG_RESTART\""
fi
export ORGD_TEST_PG_RESTART
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PGPORT"

# --- the suites --------------------------------------------------------------------------------
cd "$ROOT"
# Sanitizer reports abort the process that has them (-fno-sanitize-recover=all), with a stack.
export ASAN_OPTIONS="detect_leaks=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest --test-dir build-checked --output-on-failure -j"$(nproc)" --timeout 600

# --- the official SDKs (tests/sdk): Node 20, packages from npm at the versions in the lock file ---
cd "$ROOT/tests/sdk"
npm ci --no-audit --no-fund --loglevel=error
ORGD_BIN="$ROOT/build-checked/orgd" npm test --silent

# --- fuzz smoke: each libFuzzer target of fuzz/ from its seed corpus, a few seconds each ---------
cd "$ROOT"
scripts/fuzz.sh --no-build "${ORGD_FUZZ_SMOKE_SECONDS:-5}"
