#!/usr/bin/env bash
# Fails when a layer includes what STYLE.md §2 forbids it: the domain stays free of HTTP, JSON and
# SQL; Beast stays inside src/http; the dialects never reach the store or the drivers.
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
check() {  # folder, forbidden include pattern, why
  local hits
  hits="$(grep -rEn "#include [<\"]($2)" "$1" --include='*.h' --include='*.cc' | grep -v '_test\.cc:' || true)"
  if [[ -n "$hits" ]]; then echo "layering: $3"; echo "$hits"; fail=1; fi
}
check src/domain 'boost/|nlohmann/|sqlite3\.h|libpq-fe\.h|http/|api/' "src/domain must not include Beast, nlohmann, SQL drivers, http or api"
check src/api 'boost/|sqlite3\.h|libpq-fe\.h|store/sql/|store/sqlite/|store/postgres/' "src/api must not include Beast or reach the store"
check src/auth 'boost/|sqlite3\.h|libpq-fe\.h|http/|api/' "src/auth must not include Beast, drivers, http or api"
check src/store 'boost/|nlohmann/|http/|api/|auth/' "src/store must not include Beast, nlohmann, http, api or auth"
check src/common 'boost/|nlohmann/|http/|api/|auth/|store/|domain/' "src/common depends on nothing of ours"
exit $fail
