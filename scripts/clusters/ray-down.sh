#!/usr/bin/env bash
# Stops the Ray head that ray-up.sh started (`ray stop` stops every Ray process of this user). Idempotent.
set -uo pipefail
VENV=${SLUICE_CLUSTERS_DIR:-/tmp/sluice-clusters}/rayenv
[ -x "$VENV/bin/ray" ] || { echo "ray: not installed"; exit 0; }
"$VENV/bin/ray" stop >/dev/null 2>&1 || "$VENV/bin/ray" stop --force >/dev/null 2>&1 || true
echo "ray: stopped"
