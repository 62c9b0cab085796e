#!/usr/bin/env bash
# Stops what slurm-up.sh started: cancels the jobs, then stops the daemons by their pid files. Idempotent.
set -uo pipefail
D=${SLUICE_CLUSTERS_DIR:-/tmp/sluice-clusters}/slurm
alive() { kill -0 "$1" 2>/dev/null && [ "$(ps -o stat= -p "$1" | cut -c1)" != Z ]; }
stop() {
  local pid; pid=$(cat "$1" 2>/dev/null) || return 0
  if [ -n "$pid" ] && alive "$pid"; then
    kill -TERM "$pid"
    for _ in $(seq 100); do alive "$pid" || break; sleep 0.1; done
    alive "$pid" && kill -KILL "$pid"
  fi
  rm -f "$1"
}
# Only the jobs of the cluster this script's slurm-up.sh started, never those of a real cluster this host talks to.
if [ -f "$D/run/slurmctld.pid" ] && alive "$(cat "$D/run/slurmctld.pid")"; then
  jobs=$(squeue -h -o %i 2>/dev/null | tr '\n' ' ')
  [ -n "${jobs// /}" ] && scancel $jobs
  for _ in $(seq 100); do [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break; sleep 0.1; done
fi
stop "$D/run/slurmd.pid"
stop "$D/run/slurmctld.pid"
stop "$D/run/munged.pid"
echo "slurm: stopped"
