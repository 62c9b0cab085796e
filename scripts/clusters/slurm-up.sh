#!/usr/bin/env bash
# Starts a single-node Slurm cluster on loopback for Sluice's executor tests and `sluice demo --pool slurm`:
# munged, slurmctld and slurmd from Debian's packages, as root, without systemd. Idempotent: a cluster that is
# already up is left as it is. State, logs and pid files go to $SLUICE_CLUSTERS_DIR/slurm (default /tmp/sluice-clusters).
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "slurm-up: run as root (slurmd needs it)" >&2; exit 1; }
BASE=${SLUICE_CLUSTERS_DIR:-/tmp/sluice-clusters}
D=$BASE/slurm
CONF=/etc/slurm/slurm.conf
HOST=$(hostname -s)

running() {   # $1: a pid file; true while that process lives (a zombie is dead)
  local pid; pid=$(cat "$1" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$(ps -o stat= -p "$pid" | cut -c1)" != Z ]
}
node_ready() { sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; }

missing=()
for pair in munged:munge slurmctld:slurmctld slurmd:slurmd sbatch:slurm-client; do
  command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if running "$D/run/slurmctld.pid" && running "$D/run/slurmd.pid" && node_ready; then
  echo "slurm: already up ($(sinfo -h -o '%P %T %N'))"; exit 0
fi
mkdir -p "$D"/{state,spool,log,run}
getent hosts "$HOST" >/dev/null || echo "127.0.0.1 $HOST" >> /etc/hosts   # slurmd finds its node by `hostname -s`

# munge: one key, a daemon only if none answers.
if [ ! -s /etc/munge/munge.key ]; then
  mkdir -p /etc/munge
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
mkdir -p /run/munge /var/log/munge /var/lib/munge
chown munge:munge /etc/munge /etc/munge/munge.key /run/munge /var/log/munge /var/lib/munge
chmod 700 /etc/munge; chmod 400 /etc/munge/munge.key; chmod 755 /run/munge
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged --force
  for _ in $(seq 100); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
  cp /run/munge/munged.pid "$D/run/munged.pid"   # ours, so slurm-down.sh may stop it
fi

CPUS=$(nproc)
MEMORY=$(( $(free -m | awk '/^Mem:/{print $2}') - 1024 ))
TOPOLOGY=$(slurmd -C | head -1 | grep -oE 'Boards=[0-9]+ SocketsPerBoard=[0-9]+ CoresPerSocket=[0-9]+ ThreadsPerCore=[0-9]+' || true)
mkdir -p /etc/slurm
cat > "$CONF" <<CONF
# written by sluice scripts/clusters/slurm-up.sh
ClusterName=sluice
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/run/slurmctld.pid
SlurmdPidFile=$D/run/slurmd.pid
SlurmctldLogFile=$D/log/slurmctld.log
SlurmdLogFile=$D/log/slurmd.log
# cgroup tracking fails in this kind of container, and jobs then "complete" without running
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
SchedulerType=sched/backfill
# start a job on the next tick, not seconds later
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# without a default, a job that names no memory takes the whole node and jobs run one at a time
DefMemPerCPU=512
# a job that asks for more than any node has is refused, not left pending forever
EnforcePartLimits=ALL
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
# finished jobs stay visible to \`sacct -c\` without slurmdbd: Sluice's tests count jobs there
JobCompType=jobcomp/filetxt
JobCompLoc=$D/log/jobcomp.txt
ReturnToService=2
# finished jobs leave squeue after 2 s (the least Slurm allows), so that Sluice's tests also find them the way a
# controller restarted later does: through accounting
MinJobAge=2
# a counted cluster-wide resource, what a task's bandwidth becomes: sbatch -L bandwidth:100
Licenses=bandwidth:1000
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$CPUS $TOPOLOGY RealMemory=$MEMORY State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF

running "$D/run/slurmctld.pid" || slurmctld
for _ in $(seq 100); do scontrol ping >/dev/null 2>&1 && break; sleep 0.1; done
scontrol reconfigure >/dev/null 2>&1 || true   # a controller left from an older configuration
running "$D/run/slurmd.pid" || slurmd
for _ in $(seq 300); do
  node_ready && break
  case "$(sinfo -h -o %T 2>/dev/null | head -1)" in
    drain*|down*) scontrol update nodename="$HOST" state=resume >/dev/null 2>&1 || true ;;
  esac
  sleep 0.1
done
node_ready || { echo "slurm: the node did not become ready; see $D/log/" >&2; exit 1; }
echo "slurm: up ($(sinfo -h -o '%P %T %N %c CPUs %m MB'))"
