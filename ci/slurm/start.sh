#!/usr/bin/env bash
# Starts a real single-node Slurm cluster on this machine, for tests: a private munged, slurmctld
# and slurmd, everything (config, sockets, spool, logs, pids) under STATE_DIR, on free ports, so it
# touches no system service and two clusters can run side by side.
#
#   ci/slurm/start.sh STATE_DIR        # then: export SLURM_CONF=STATE_DIR/slurm.conf
#   ci/slurm/stop.sh STATE_DIR
#
# Needs Debian's slurm-wlm and munge (ci/setup.sh installs them) and root (slurmd launches jobs as
# their submitter). Quiet on success; on failure prints why with the daemons' log tails, exit 1.
# Running it again on a live STATE_DIR does nothing.
set -euo pipefail

state=${1:?usage: ci/slurm/start.sh STATE_DIR}
timeout_s=${GAUNTLET_SLURM_START_TIMEOUT:-60}
mkdir -p "$state"
state=$(cd "$state" && pwd)
conf=$state/slurm.conf
export SLURM_CONF=$conf

die() {
  echo "ci/slurm/start.sh: $*" >&2
  for log in "$state"/munged.log "$state"/slurmctld.log "$state"/slurmd.log; do
    if [[ -s $log ]]; then echo "--- tail of $log" >&2; tail -n 20 "$log" >&2; fi
  done
  exit 1
}
alive() { [[ -s $state/$1.pid ]] && kill -0 "$(cat "$state/$1.pid")" 2>/dev/null; }

if alive munged && alive slurmctld && alive slurmd; then exit 0; fi  # already up

for tool in munged slurmctld slurmd sinfo sbatch; do
  command -v "$tool" >/dev/null || die "$tool not found on PATH (install slurm-wlm and munge: ci/setup.sh)"
done
[[ $(id -u) -eq 0 ]] || die "must run as root (slurmd starts jobs as their submitter)"

# The munge key: Debian's package makes one; make it when missing.
key=/etc/munge/munge.key
if [[ ! -s $key ]]; then
  mkdir -p /etc/munge
  if ! mungekey --create --keyfile="$key" 2>/dev/null; then
    dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
  fi
  chown munge:munge "$key" 2>/dev/null || true
  chmod 400 "$key"
fi

# A private munged on its own socket (AuthInfo below points Slurm at it).
mkdir -p "$state/munge" "$state/ctld" "$state/spool"
chmod 700 "$state" "$state/munge"
if ! alive munged; then
  munged --force --socket="$state/munge/munge.socket" --pid-file="$state/munged.pid" \
    --log-file="$state/munged.log" --seed-file="$state/munge/munged.seed" --key-file="$key" \
    >"$state/munged.out" 2>&1 || die "munged did not start: $(cat "$state/munged.out")"
fi

host=$(hostname -s)
cpus=$(nproc)
mem=$(free -m | awk '/^Mem:/ {print $2}')
mem=$((mem > 1024 ? mem - 512 : mem / 2))  # leave a margin, else slurmd drains the node
# Two free TCP ports, so that a second cluster (or a system one) does not collide.
read -r ctld_port d_port < <(/usr/bin/python3 -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')

cat >"$conf.tmp" <<CONF
# Written by ci/slurm/start.sh: a single-node test cluster, everything under $state.
ClusterName=gauntlet
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$state/munge/munge.socket
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1
MinJobAge=2
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
mv "$conf.tmp" "$conf"

if ! alive slurmctld; then
  slurmctld -f "$conf" -i >"$state/slurmctld.out" 2>&1 || die "slurmctld did not start: $(cat "$state/slurmctld.out")"
fi
if ! alive slurmd; then
  slurmd -f "$conf" >"$state/slurmd.out" 2>&1 || die "slurmd did not start: $(cat "$state/slurmd.out")"
fi

deadline=$((SECONDS + timeout_s))
while true; do
  st=$(sinfo -h -N -n "$host" -o '%T' 2>/dev/null || true)
  [[ $st == idle ]] && break
  ((SECONDS < deadline)) || die "node $host not idle after ${timeout_s}s (sinfo: '${st}')"
  alive slurmctld || die "slurmctld exited"
  alive slurmd || die "slurmd exited"
  sleep 0.5
done
