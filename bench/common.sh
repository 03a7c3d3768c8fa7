# Shell helpers shared by bench/run.sh and bench/ab.sh (sourced, not run).

# A free TCP port on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# An access token of the bootstrap client bench / bench-secret-0123456789 (the scripts start orgd
# with ORGD_BOOTSTRAP_CLIENT_ID/SECRET set to those) from orgd on 127.0.0.1:PORT, in DIALECT
# (logto: /oidc/token for the Management API; kinde: /oauth2/token).
token() {  # PORT DIALECT
  if [[ "$2" == logto ]]; then
    curl -sf -X POST "http://127.0.0.1:$1/oidc/token" -d grant_type=client_credentials \
      -d client_id=bench -d client_secret=bench-secret-0123456789 \
      -d resource=https://default.logto.app/api -d scope=all
  else
    curl -sf -X POST "http://127.0.0.1:$1/oauth2/token" -d grant_type=client_credentials \
      -d client_id=bench -d client_secret=bench-secret-0123456789 \
      -d audience="http://127.0.0.1:$1/api"
  fi | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
