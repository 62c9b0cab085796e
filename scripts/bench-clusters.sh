#!/usr/bin/env bash
# Overhead per task that Sluice adds over submitting the same jobs by hand, on the local Slurm cluster and Ray head
# (scripts/clusters/*-up.sh), measured in the same run:
#   independent: N trivial jobs of 1 cpu; by hand, all submitted at once, then waited for.
#   chain:       N trivial jobs, each needing the previous; by hand, Slurm's --dependency=afterok, and for Ray
#                (whose Jobs API has no dependencies) each job submitted once the previous one ended.
# By hand, waiting polls every 100 ms (squeue / GET /api/jobs/). Sluice's time includes its start, its probe job and
# its status commit. Usage: scripts/bench-clusters.sh [N] [debug|release]
set -euo pipefail
n="${1:-20}"
config="${2:-release}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
swift build -c "$config" --product sluice >/dev/null 2>&1
sluice="$(swift build -c "$config" --show-bin-path)/sluice"
ray="http://127.0.0.1:8265"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
report() {  # engine shape who start end
    python3 -c "import sys; w=float(sys.argv[5])-float(sys.argv[4]); n=int(sys.argv[6]); print(f'{sys.argv[1]:6s} {sys.argv[2]:12s} {sys.argv[3]:8s} {n} jobs: {w:6.2f} s wall, {1000*w/n:5.0f} ms per job')" "$@" "$n"
}

make_repo() {  # folder, pool spec, chain|independent
    mkdir -p "$1"
    {
        printf 'apiVersion: sluice/v1\nkind: ResourcePool\nmetadata: {name: cluster}\nspec:\n  %s\n---\n' "$2"
        printf 'apiVersion: sluice/v1\nkind: Workflow\nmetadata: {name: overhead}\nspec:\n  pool: cluster\n  tasks:\n'
        for i in $(seq 1 "$n"); do
            needs=""; [ "$3" = chain ] && [ "$i" -gt 1 ] && needs=", needs: [t$((i - 1))]"
            printf '    - {name: t%s, run: ": %s; true", resources: {cpu: 1, memory: 64Mi}%s}\n' "$i" "$i" "$needs"
        done
    } > "$1/sluice.yaml"
    git -C "$1" init -q -b main && git -C "$1" add -A && git -C "$1" -c user.name=b -c user.email=b@b commit -qm bench
}

by_hand_slurm() {  # shape
    local ids=() previous="" id
    for i in $(seq 1 "$n"); do
        dependency=(); [ "$1" = chain ] && [ -n "$previous" ] && dependency=(--dependency="afterok:$previous")
        id=$(sbatch --parsable --cpus-per-task=1 --mem=64M -o /dev/null "${dependency[@]}" --wrap ": $i; true")
        ids+=("$id"); previous=$id
    done
    local list; list=$(IFS=,; echo "${ids[*]}")
    while squeue -h -j "$list" -o %i 2>/dev/null | grep -q .; do sleep 0.1; done
}

ray_submit() {  # id
    curl -sf -o /dev/null -H 'Content-Type: application/json' \
        -d "{\"entrypoint\": \"true\", \"submission_id\": \"$1\", \"entrypoint_num_cpus\": 1}" "$ray/api/jobs/"
}
ray_wait() {  # prefix: until no job with it is PENDING or RUNNING
    while curl -sf "$ray/api/jobs/" | python3 -c "import json,sys; sys.exit(0 if any(j['submission_id'].startswith(sys.argv[1]) and j['status'] in ('PENDING','RUNNING') for j in json.load(sys.stdin)) else 1)" "$1"; do
        sleep 0.1
    done
}
by_hand_ray() {  # shape
    local prefix="bench-$(date +%s%N)-"
    for i in $(seq 1 "$n"); do
        ray_submit "$prefix$i"
        [ "$1" = chain ] && ray_wait "$prefix$i"
    done
    ray_wait "$prefix"
}

for engine in slurm ray; do
    case $engine in
        slurm) spec="slurm: {partition: debug}" ;;
        ray) spec="ray: {address: \"$ray\"}" ;;
    esac
    for shape in independent chain; do
        start=$(now); "by_hand_$engine" "$shape"; end=$(now)
        report "$engine" "$shape" "by hand" "$start" "$end"
        make_repo "$work/$engine-$shape" "$spec" "$shape"
        start=$(now); "$sluice" apply --repo "$work/$engine-$shape" --state "$work/$engine-$shape/.sluice" >/dev/null; end=$(now)
        report "$engine" "$shape" "sluice" "$start" "$end"
    done
done
