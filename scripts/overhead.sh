#!/usr/bin/env bash
# Orchestration overhead per task: applies a chain of N trivial tasks (each needs the previous one, so nothing
# overlaps) and N independent ones, and prints wall time per task. Usage: scripts/overhead.sh [N] [debug|release]
set -euo pipefail
n="${1:-20}"
config="${2:-debug}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
swift build -c "$config" --product sluice >/dev/null 2>&1
sluice="$(swift build -c "$config" --show-bin-path)/sluice"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

make_repo() {  # $1 folder, $2 chain|independent
    mkdir -p "$1"
    {
        printf 'apiVersion: sluice/v1\nkind: ResourcePool\nmetadata: {name: local}\nspec:\n  nodes: [{name: n1, capacity: {cpu: %s}}]\n---\n' "$n"
        printf 'apiVersion: sluice/v1\nkind: Workflow\nmetadata: {name: overhead}\nspec:\n  pool: local\n  tasks:\n'
        for i in $(seq 1 "$n"); do
            if [ "$2" = chain ] && [ "$i" -gt 1 ]; then
                printf '    - {name: t%s, run: "true", resources: {cpu: 1}, needs: [t%s]}\n' "$i" "$((i - 1))"
            else
                printf '    - {name: t%s, run: "true", resources: {cpu: 1}}\n' "$i"
            fi
        done
    } > "$1/sluice.yaml"
    git -C "$1" init -q -b main && git -C "$1" add -A && git -C "$1" -c user.name=b -c user.email=b@b commit -qm bench
}

for shape in chain independent; do
    make_repo "$work/$shape" "$shape"
    start=$(date +%s.%N)
    "$sluice" apply --repo "$work/$shape" --state "$work/$shape-state" >/dev/null
    end=$(date +%s.%N)
    python3 -c "import sys; w=float(sys.argv[2])-float(sys.argv[1]); print(f'{sys.argv[3]:12s} {int(sys.argv[4])} tasks: {w:.2f} s wall, {1000*w/int(sys.argv[4]):.0f} ms per task')" "$start" "$end" "$shape" "$n"
done
