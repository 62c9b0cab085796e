#!/usr/bin/env bash
# Runs a real controller on the customer-service example, checks its dashboard in headless Chromium
# (scripts/dashboard-check.sh) and saves its screenshots, dashboard.png and dashboard-full.png, to docs/ (or OUT_DIR).
#
#   scripts/dashboard-screenshot.sh [--token] [OUT_DIR]
#
# With --token the controller runs with --api-token-file (a fresh random token), so that the page shows the rerun
# buttons, and the check passes the token to the page.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
with_token=0
if [[ ${1:-} == --token ]]; then
    with_token=1
    shift
fi
out_dir="${1:-$root/docs}"
mkdir -p "$out_dir"
out_dir="$(cd "$out_dir" && pwd)"
cd "$root"
swift build --product sluice >/dev/null
sluice="$(swift build --show-bin-path)/sluice"
repo="$(scripts/example-repo.sh)"
state="$(mktemp -d)"
port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
token_args=()
check_args=()
auth=()
if [[ $with_token -eq 1 ]]; then
    token_file="$state/api-token"
    (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(24))' >"$token_file")
    token_args=(--api-token-file "$token_file")
    check_args=("$token_file")
    auth=(-H "Authorization: Bearer $(<"$token_file")")
fi
"$sluice" controller --repo "$repo" --state "$state" --interval 5s --listen "127.0.0.1:$port" ${token_args[@]+"${token_args[@]}"} \
    >"$state/controller.log" 2>&1 &
controller=$!
# The controller leaves services running by design (the next one adopts them); stop them with it here.
trap 'kill -TERM $controller 2>/dev/null; wait $controller 2>/dev/null; pkill -TERM -f "__supervise $state" || true; sleep 0.5; rm -rf "$repo" "$state"' EXIT
# Ready, and the service up: every batch task has run and serve answers.
healthy() {
    curl -sf ${auth[@]+"${auth[@]}"} "http://127.0.0.1:$port/api/v1/workflows" | grep -q '"healthy" *: *true'
}
for _ in $(seq 1 300); do
    if healthy; then break; fi
    sleep 0.2
done
healthy || { cat "$state/controller.log"; echo "the service never became healthy" >&2; exit 1; }
scripts/dashboard-check.sh "http://127.0.0.1:$port" "$out_dir" ${check_args[@]+"${check_args[@]}"}
echo "screenshots: $out_dir/dashboard.png $out_dir/dashboard-full.png"
