#!/usr/bin/env bash
# Starts a single-node Ray head on loopback for Sluice's executor tests and `sluice demo --pool ray`: `ray[default]`
# from PyPI in a virtualenv, the Jobs API on http://127.0.0.1:8265. Idempotent: a head that answers is left as it is.
set -euo pipefail
BASE=${SLUICE_CLUSTERS_DIR:-/tmp/sluice-clusters}
VENV=$BASE/rayenv
PORT=${SLUICE_RAY_PORT:-8265}
URL="http://127.0.0.1:$PORT"
# Pinned: the Jobs API's answers (docs/clusters.md) were read from this version.
SPEC=${SLUICE_RAY_PIP_SPEC:-'ray[default]==2.60.0'}

if curl -sf "$URL/api/version" >/dev/null 2>&1; then echo "ray: already up at $URL"; exit 0; fi
mkdir -p "$BASE"
if [ ! -x "$VENV/bin/ray" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "$SPEC"
fi
export RAY_USAGE_STATS_ENABLED=0
# A job that waits for busy CPUs longer than this fails; Ray's default is 900 s.
export RAY_JOB_START_TIMEOUT_SECONDS=${RAY_JOB_START_TIMEOUT_SECONDS:-600}
# Ray replaces --node-ip-address=127.0.0.1 by the main interface's address and then listens on every interface;
# this switch makes it keep 127.0.0.1 on Linux, so every port stays on loopback.
export RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0
"$VENV/bin/ray" stop >/dev/null 2>&1 || true   # the remains of a head that half died
cd "$BASE"
"$VENV/bin/ray" start --head --node-ip-address=127.0.0.1 --port="${SLUICE_RAY_GCS_PORT:-6379}" \
  --dashboard-host=127.0.0.1 --dashboard-port="$PORT" --num-cpus="$(nproc)" --num-gpus=0 \
  --resources='{"bandwidth": 1000}' --temp-dir="$BASE/raytmp" --disable-usage-stats \
  > "$BASE/ray-start.log" 2>&1 || { cat "$BASE/ray-start.log" >&2; exit 1; }
for _ in $(seq 600); do
  if curl -sf "$URL/api/version" >/dev/null 2>&1 && curl -sf "$URL/api/jobs/" >/dev/null 2>&1; then
    echo "ray: up at $URL"; exit 0
  fi
  sleep 0.1
done
echo "ray: the Jobs API did not answer; see $BASE/ray-start.log and $BASE/raytmp/session_latest/logs" >&2
exit 1
