#!/usr/bin/env bash
# A/B of two orgd binaries on the hot reads, for a code change whose effect is smaller than the
# drift between two runs of bench/run.sh: the same dataset in one SQLite file, the two binaries
# served in turn (A B, then B A, ...) for several rounds, each scenario measured with wrk
# (-t2 -c16) and, from /proc, the server's CPU time per request (user + system). Prints each
# round, then the medians and B/A.
#
# Usage: bench/ab.sh BIN_A BIN_B [--rounds 4] [--duration 4s] [--size 1k|1m]
#                    [--scenarios "scopes org code orgs members"]
#   scopes:  GET /api/organizations/{id}/users/{userId}/scopes (Logto token)
#   org:     GET /api/organizations/{id} (Logto token)
#   code:    GET /api/v1/organization?code={id} (Kinde token, about 3 KB)
#   orgs:    GET /api/organizations?page=1&page_size=20
#   members: GET /api/organizations/{id}/users?page=1&page_size=20
# The database is imported by BIN_A; both binaries must share its schema (no new migration in
# BIN_B). Needs build/bench/gen_dataset (scripts/build.sh, then
# `cmake --build build --target gen_dataset`).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
usage() {
  echo "usage: bench/ab.sh BIN_A BIN_B [--rounds N] [--duration 4s] [--size 1k|1m] [--scenarios \"...\"]" >&2
  exit 2
}
[[ $# -ge 2 ]] || usage
A="$(realpath "$1")"; B="$(realpath "$2")"; shift 2
ROUNDS=4; D=4s; SIZE=1k; SCENARIOS="scopes org code orgs members"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --duration) D="$2"; shift 2 ;;
    --size) SIZE="$2"; shift 2 ;;
    --scenarios) SCENARIOS="$2"; shift 2 ;;
    *) usage ;;
  esac
done
case "$SIZE" in
  1k) ORGS=1000; USERS=1000; MEMBERS=10000 ;;
  1m) ORGS=1000000; USERS=1000000; MEMBERS=10000000 ;;
  *) usage ;;
esac
GEN="$ROOT/build/bench/gen_dataset"
[[ -x "$GEN" ]] || { echo "bench/ab.sh: build $GEN first" >&2; exit 1; }

RUN="$(mktemp -d /tmp/orgd-ab.XXXXXX)"
PID=""
cleanup() {
  if [[ -n "$PID" ]]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$RUN"
}
trap cleanup EXIT
source "$ROOT/bench/common.sh"  # free_port, token

"$GEN" --orgs $ORGS --users $USERS --memberships $MEMBERS --out "$RUN/data.ndjson"
FIRST="$(grep -m1 -E '"type":"(membership|memberRoles)"' "$RUN/data.ndjson")"
ORG="$(sed 's/.*"organizationId":"\([^"]*\)".*/\1/' <<<"$FIRST")"
MEMBER="$(sed 's/.*"userId":"\([^"]*\)".*/\1/' <<<"$FIRST")"
export ORGD_BOOTSTRAP_CLIENT_ID=bench ORGD_BOOTSTRAP_CLIENT_SECRET=bench-secret-0123456789
export ORGD_KEK="$(head -c32 /dev/urandom | base64)"
DB="sqlite://$RUN/ab.db"
"$A" import "$RUN/data.ndjson" --database "$DB" >/dev/null 2>"$RUN/import.err" || {
  cat "$RUN/import.err" >&2; exit 1; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# One binary, every scenario: lines "label scenario rps p99_ms cpu_us_per_request".
serve_and_measure() {  # LABEL BIN
  local label="$1" bin="$2" port base lt kt
  port="$(free_port)"
  "$bin" serve --listen "127.0.0.1:$port" --database "$DB" --no-request-log >"$RUN/serve.log" 2>&1 &
  PID=$!
  for _ in $(seq 1000); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.02; done
  base="http://127.0.0.1:$port"
  lt="$(token "$port" logto)"; kt="$(token "$port" kinde)"
  for scenario in $SCENARIOS; do
    local url token="$lt"
    case "$scenario" in
      scopes) url="$base/api/organizations/$ORG/users/$MEMBER/scopes" ;;
      org) url="$base/api/organizations/$ORG" ;;
      code) url="$base/api/v1/organization?code=$ORG"; token="$kt" ;;
      orgs) url="$base/api/organizations?page=1&page_size=20" ;;
      members) url="$base/api/organizations/$ORG/users?page=1&page_size=20" ;;
      *) echo "bench/ab.sh: unknown scenario $scenario" >&2; exit 2 ;;
    esac
    wrk -t2 -c16 -d1s -H "Authorization: Bearer $token" "$url" >/dev/null
    local before out after
    before="$(cpu_ticks "$PID")"
    out="$(wrk -t2 -c16 -d"$D" --latency -H "Authorization: Bearer $token" "$url")"
    after="$(cpu_ticks "$PID")"
    python3 - "$label" "$scenario" "$before" "$after" "$(getconf CLK_TCK)" <<PY
import re, sys
out = """$out"""
label, scenario, before, after, hz = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:])
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s)", v)
    n, u = float(m.group(1)), m.group(2)
    return n / 1000 if u == "us" else n * 1000 if u == "s" else n
requests = int(re.search(r"(\d+) requests in", out).group(1))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
p99 = ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
if "Non-2xx" in out:
    sys.exit(f"bench/ab.sh: {scenario} answered errors: {out}")
cpu_us = (after - before) * 1e6 / hz / requests
print(f"{label} {scenario} {rps:.0f} {p99:.3f} {cpu_us:.2f}")
PY
  done
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
}

: >"$RUN/rounds.txt"
for round in $(seq "$ROUNDS"); do
  if (( round % 2 )); then order=("A $A" "B $B"); else order=("B $B" "A $A"); fi
  for entry in "${order[@]}"; do
    serve_and_measure ${entry} | tee -a "$RUN/rounds.txt" | sed "s/^/round $round: /"
  done
done

python3 - "$RUN/rounds.txt" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
scenarios = list(dict.fromkeys(r[1] for r in rows))
def med(label, scenario, column):
    return statistics.median(float(r[column]) for r in rows if r[0] == label and r[1] == scenario)
print(f"\n{'scenario':<10}{'A req/s':>10}{'B req/s':>10}{'B/A':>7}{'A p99 ms':>10}{'B p99 ms':>10}{'A cpu us':>10}{'B cpu us':>10}")
for s in scenarios:
    a, b = med("A", s, 2), med("B", s, 2)
    print(f"{s:<10}{a:>10.0f}{b:>10.0f}{b / a:>7.3f}{med('A', s, 3):>10.3f}{med('B', s, 3):>10.3f}"
          f"{med('A', s, 4):>10.2f}{med('B', s, 4):>10.2f}")
print("(medians over the rounds; cpu us: the server's user + system CPU per request)")
PY
