#!/usr/bin/env bash
# Stops the cluster ci/slurm/start.sh STATE_DIR started (slurmd, slurmctld, munged, by the pids it
# recorded) and removes STATE_DIR. Quiet; a STATE_DIR already gone is fine.
set -uo pipefail

state=${1:?usage: ci/slurm/stop.sh STATE_DIR}
[[ -d $state ]] || exit 0

# Cancel what still runs there first, so that no job outlives its slurmd.
if [[ -s $state/slurm.conf && -s $state/slurmctld.pid ]] && kill -0 "$(cat "$state/slurmctld.pid")" 2>/dev/null; then
  export SLURM_CONF=$state/slurm.conf
  jobs=$(timeout 10 squeue -h -o %A 2>/dev/null | sort -u)
  if [[ -n $jobs ]]; then
    timeout 10 scancel $jobs 2>/dev/null
    for _ in $(seq 1 50); do  # up to 10 s
      [[ -z $(timeout 10 squeue -h -o %A 2>/dev/null) ]] && break
      sleep 0.2
    done
  fi
fi

pids=()
for d in slurmd slurmctld munged; do
  f=$state/$d.pid
  [[ -s $f ]] || continue
  pid=$(cat "$f")
  # Only a process that is still that daemon (a pid may have been reused).
  if [[ $pid =~ ^[0-9]+$ ]] && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$d" ]]; then
    kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
  fi
done
for _ in $(seq 1 50); do  # up to 5 s, then SIGKILL
  left=()
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && left+=("$pid"); done
  ((${#left[@]} == 0)) && break
  sleep 0.1
done
for pid in "${left[@]}"; do kill -KILL "$pid" 2>/dev/null; done
rm -rf "$state"
exit 0
