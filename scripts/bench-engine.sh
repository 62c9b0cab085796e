#!/usr/bin/env bash
# The engine's figures in docs/benchmarks.md, on a release build: the peers harness (Sluice, Snakemake and Luigi on the
# same graphs in one run; it installs the two peers into a virtualenv from PyPI on its first run), then bench/engine.py.
# usage: scripts/bench-engine.sh [PEERS_DIR]   (default: ../shared/bench/peers of this workplace)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
peers="${1:-$root/../shared/bench/peers}"
cd "$root"
swift build -c release --product sluice >/dev/null
swift build -c release --product sluice-supervisor >/dev/null
bin="$(swift build -c release --show-bin-path)/sluice"
if [ -x "$peers/run.sh" ]; then
    "$peers/run.sh" "$bin"
else
    echo "bench-engine: no peers harness at $peers (pass its folder as the first argument); skipping the comparison" >&2
fi
python3 bench/engine.py "$bin"
