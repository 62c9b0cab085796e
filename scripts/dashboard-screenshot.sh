#!/usr/bin/env bash
# Runs a real controller on the customer-service example, checks its dashboard in headless Chromium
# (scripts/dashboard-check.sh) and saves a screenshot to docs/dashboard.png (or the path given).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/docs/dashboard.png}"
cd "$root"
swift build --product sluice >/dev/null
sluice="$(swift build --show-bin-path)/sluice"
repo="$(scripts/example-repo.sh)"
state="$(mktemp -d)"
port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
"$sluice" controller --repo "$repo" --state "$state" --interval 5s --listen "127.0.0.1:$port" >"$state/controller.log" 2>&1 &
controller=$!
# The controller leaves services running by design (the next one adopts them); stop them with it here.
trap 'kill -TERM $controller 2>/dev/null; wait $controller 2>/dev/null; pkill -TERM -f "__supervise $state" || true; sleep 0.5; rm -rf "$repo" "$state"' EXIT
# Ready, and the service up: every batch task has run and serve answers.
for _ in $(seq 1 300); do
    if curl -sf "http://127.0.0.1:$port/api/v1/workflows" | grep -q '"healthy":true'; then break; fi
    sleep 0.2
done
curl -sf "http://127.0.0.1:$port/api/v1/workflows" | grep -q '"healthy":true' || { cat "$state/controller.log"; echo "the service never became healthy" >&2; exit 1; }
scripts/dashboard-check.sh "http://127.0.0.1:$port" "$out"
echo "screenshot: $out"
