#!/usr/bin/env bash
# First benchmark: seeds N organizations into a fresh SQLite orgd, then measures requests/s and
# p50/p99 latency of two hot reads over keep-alive connections with wrk (-t2 -c16, the shape of
# ../shared/bench/ceiling.sh), with real JWT verification on every request, and runs the loopback
# ceiling (nginx with a fixed JSON body) in the same run for the ratio.
# Usage: bench/orgs_bench.sh [N=1000] [DURATION=10s]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000}"; D="${2:-10s}"
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
[[ -x build/orgd ]] || scripts/build.sh >/dev/null

RUN="$(mktemp -d)"; PORT=3917
export ORGD_BOOTSTRAP_CLIENT_ID=bench ORGD_BOOTSTRAP_CLIENT_SECRET=bench-secret-0123456789
build/orgd serve --listen 127.0.0.1:$PORT --database "sqlite://$RUN/bench.db" --no-request-log \
  >"$RUN/out.log" 2>"$RUN/err.log" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$RUN"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

TOKEN="$(curl -sf -X POST "http://127.0.0.1:$PORT/oidc/token" \
  -d grant_type=client_credentials -d client_id=bench -d client_secret=bench-secret-0123456789 \
  -d resource=https://default.logto.app/api -d scope=all | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"

echo "seeding $N organizations..."
ORG_ID="$(python3 - "$PORT" "$TOKEN" "$N" <<'PY'
import http.client, json, sys
port, token, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
conn = http.client.HTTPConnection("127.0.0.1", port)
hdrs = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
mid = None
for i in range(n):
    conn.request("POST", "/api/organizations", json.dumps({"name": f"Organization {i}", "customData": {"i": i}}), hdrs)
    r = conn.getresponse(); body = json.loads(r.read())
    if i == n // 2: mid = body["id"]
print(mid)
PY
)"

run() {  # name, url
  local out; out="$(wrk -t2 -c16 -d"$D" --latency -H "Authorization: Bearer $TOKEN" "$2")"
  local rps p50 p99
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  p50="$(awk '$1=="50%" {print $2}' <<<"$out")"
  p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
  printf '%-44s %12s %10s %10s\n' "$1" "$rps" "$p50" "$p99"
  echo "$rps" >"$RUN/$3"
}
wrk -t2 -c16 -d2s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/organizations/$ORG_ID" >/dev/null
printf '%-44s %12s %10s %10s\n' "scenario (N=$N, wrk -t2 -c16 -d$D)" "requests/s" "p50" "p99"
run "GET /api/organizations/{id}" "http://127.0.0.1:$PORT/api/organizations/$ORG_ID" get
run "GET /api/organizations?page=1&page_size=20" "http://127.0.0.1:$PORT/api/organizations?page=1&page_size=20" list
CEIL="$(../shared/bench/ceiling.sh "$D" 3918 2>/dev/null || true)"
if [[ -n "$CEIL" ]]; then
  c_rps="$(awk '/Requests\/sec/ {print $2}' <<<"$CEIL")"
  printf '%-44s %12s %10s %10s\n' "ceiling: nginx fixed JSON" "$c_rps" \
    "$(awk '$1=="50%" {print $2}' <<<"$CEIL")" "$(awk '$1=="99%" {print $2}' <<<"$CEIL")"
  python3 -c "import sys; g,l,c=map(float,sys.argv[1:]); print(f'ratio to ceiling: get {g/c:.2f}x, list {l/c:.2f}x')" \
    "$(cat "$RUN/get")" "$(cat "$RUN/list")" "$c_rps"
fi
