#!/usr/bin/env bash
# `gauntlet slurm` on a real single-node Slurm cluster (ci/slurm/start.sh): a job array of two
# shards and the report job after it train every cell once, into one --out, with the eval sections
# of the same suite run on one machine, also after `gauntlet merge`; submitting again re-runs nothing; --dry-run only writes the
# scripts; a missing or failing sbatch exits 2 naming it. Skipped (77) without slurm-wlm or root.
set -u
bin=$1 src=$2
. "$src/tests/e2e/lib.sh"
for tool in slurmctld slurmd munged sbatch squeue; do
  command -v $tool >/dev/null || { echo "SKIP: $tool not installed (ci/setup.sh installs slurm-wlm and munge)"; exit 77; }
done
[[ $(id -u) -eq 0 ]] || { echo "SKIP: starting a Slurm cluster needs root"; exit 77; }
t=$(mktemp -d)
state=$t/slurm-state
trap 'bash "$src/ci/slurm/stop.sh" "$state"; rm -rf "$t"' EXIT
trap 'exit 1' INT TERM
cd "$t"
# The 4-cell suite both scale-out tests use (2 backbones x 2 augmentations, 2 epochs).
sed 's/"name": "four"/"name": "clustered"/' "$src/tests/e2e/four_cells.json" > "$t/suite.json"

# Without a cluster: sbatch missing, sbatch failing, --dry-run.
expect "no sbatch on PATH: exit 2, naming it" 2 "sbatch: not found on PATH" -- \
  env PATH=/nonexistent "$bin" slurm "$t/suite.json" --out "$t/nosb"
mkdir -p "$t/fakebin"
printf '#!/bin/sh\necho "sbatch: error: invalid partition specified: nope" >&2\nexit 1\n' > "$t/fakebin/sbatch"
chmod +x "$t/fakebin/sbatch"
expect "a failing sbatch: exit 2 with its message" 2 "invalid partition specified: nope" -- \
  env PATH="$t/fakebin:$PATH" "$bin" slurm "$t/suite.json" --out "$t/fail" --partition nope
expect "a bad --time is refused" 2 "--time" -- "$bin" slurm "$t/suite.json" --time soon --dry-run --out "$t/bad"
expect "a bad suite is refused" 2 "epochs" -- "$bin" slurm "$t/suite.json" --set train.epochs=-1 --dry-run --out "$t/bad"
check "... writing nothing" -- test ! -e "$t/bad"

bash "$src/ci/slurm/start.sh" "$state" || { echo "FAIL: the Slurm cluster did not start"; exit 1; }
export SLURM_CONF=$state/slurm.conf
check "the cluster is up, its node idle" -- test "$(sinfo -h -o %T)" == idle

expect "--dry-run writes the scripts" 0 "nothing submitted (--dry-run)" -- \
  "$bin" slurm "$t/suite.json" --dry-run --shards 2 --max-parallel 2 --time 30 --partition debug \
  --out "$t/dry" --set "description=it's a \"test\" of \$HOME; \`quoting\`" --set train.epochs=2
sb=$t/dry/slurm/clustered.sbatch
check "... the array script and the report script, which bash can read" -- \
  bash -c 'bash -n "$0" && bash -n "$1"' "$sb" "$t/dry/slurm/clustered-report.sbatch"
check "... a 2-task array, 2 at once, with the #SBATCH lines asked for" -- bash -c "
  grep -qx '#SBATCH --array=0-1%2' '$sb' && grep -qx '#SBATCH --partition=debug' '$sb' &&
  grep -qx '#SBATCH --time=30' '$sb' && grep -qx '#SBATCH --cpus-per-task=1' '$sb' &&
  ! grep -q gpus-per-task '$sb' && grep -qx '#SBATCH --output=$t/dry/slurm/logs/%A_%a.out' '$sb' &&
  grep -qx 'exec $bin report $t/dry/runs/clustered --out $t/dry' '$t/dry/slurm/clustered-report.sbatch'"
check "... each task runs its shard with the --set values intact (shell quoting)" -- /usr/bin/python3 - "$sb" "$bin" "$t" <<'PY'
import shlex, sys
sb, binary, t = sys.argv[1:]
line = [l for l in open(sb) if l.startswith("exec ")][0]
args = shlex.split(line)
want = ["exec", binary, "run", t + "/suite.json", "--out", t + "/dry", "--shard", "$((SLURM_ARRAY_TASK_ID", "+",
        "1))/2", "--threads", "1", "--set", "description=it's a \"test\" of $HOME; `quoting`", "--set", "train.epochs=2"]
assert args == want, args
PY
expect "--gpus-per-task asks for GPUs and runs the tasks on CUDA" 0 "nothing submitted" -- \
  "$bin" slurm "$t/suite.json" --dry-run --gpus-per-task 2 --cpus-per-task 4 --out "$t/gpu"
check "... in the script" -- bash -c "grep -qx '#SBATCH --gpus-per-task=2' '$t/gpu/slurm/clustered.sbatch' &&
  grep -qx '#SBATCH --array=0-3' '$t/gpu/slurm/clustered.sbatch' &&
  grep -q -- '--shard \$((SLURM_ARRAY_TASK_ID + 1))/4 --threads 4 --device cuda\$' '$t/gpu/slurm/clustered.sbatch'"
check "... and submits nothing" -- test -z "$(squeue -h)"
check "... the log folder exists (Slurm does not make it)" -- test -d "$t/dry/slurm/logs"

# One machine, then the cluster: the same cells, the same results.
expect "one machine" 0 "4 ran" -- "$bin" run "$t/suite.json" --out "$t/one" --threads 1 --set train.epochs=2
start=$SECONDS
expect "gauntlet slurm submits the array and the report job" 0 "report job" -- \
  "$bin" slurm "$t/suite.json" --shards 2 --max-parallel 2 --cpus-per-task 1 --out "$t/cluster" --set train.epochs=2
ids=$(echo "$last_out" | sed -n 's/^\(array\|report\) job \([0-9]*\):.*/\2/p' | paste -sd, -)
check "... printing both job ids and the report command" -- bash -c "[[ '$ids' =~ ^[0-9]+,[0-9]+$ ]] &&
  grep -q 'results: $bin report $t/cluster/runs/clustered --out $t/cluster' <<< \"\$0\"" "$last_out"
wait_jobs() {  # until squeue lists none of the jobs $1 (comma-separated), at most $2 seconds
  local deadline=$((SECONDS + $2))
  while [[ -n $(squeue -h -j "$1" 2>/dev/null) ]]; do
    ((SECONDS < deadline)) || { echo "jobs $1 still queued after $2 s:"; squeue; return 1; }
    sleep 1
  done
}
check "both jobs end" -- wait_jobs "$ids" 600
echo "     (the cluster took $((SECONDS - start)) s)"
logs=$t/cluster/slurm/logs
array_id=${ids%%,*}
check "each task logged its shard, 2 cells each" -- bash -c \
  "grep -q 'shard 1/2: 2 of' $logs/${array_id}_0.out && grep -q 'shard 2/2: 2 of' $logs/${array_id}_1.out"
check "every cell has its result" -- test "$(find "$t/cluster/runs/clustered" -name result.json | wc -l)" -eq 4
check "the report job drew the table with all four cells" -- \
  test "$(grep -c '^| \(small\|wide\) |' "$t/cluster/reports/clustered/summary.md" 2>/dev/null)" -eq 4
check "... and logged it" -- grep -q "summary:" "$logs/${ids##*,}-report.out"
check "eval sections equal the one-machine run's" -- same_evals "$t/one/runs/clustered" "$t/cluster/runs/clustered"
check "... with 1 thread recorded, as on one machine" -- /usr/bin/python3 -c '
import json, glob, sys
rs = [json.load(open(f)) for f in glob.glob(sys.argv[1] + "/*/result.json")]
assert len(rs) == 4 and all(r["status"] == "ok" and r["env"]["threads"] == 1 for r in rs), [r["env"] for r in rs]
' "$t/cluster/runs/clustered"
# Gathered with merge (as tasks writing node-local folders would be): the same evals.
expect "merge of the cluster's runs" 0 "merged 4 cell(s) of suite clustered" -- \
  "$bin" merge "$t/cluster/runs/clustered" --out "$t/merged"
check "... equals the one-machine run" -- same_evals "$t/one/runs/clustered" "$t/merged/runs/clustered"
if ((fails > 0)); then
  for f in "$logs"/*; do echo "--- $f"; tail -n 20 "$f"; done
  tail -n 20 "$state"/slurmctld.log "$state"/slurmd.log
fi

# The same command again (how failed tasks are re-run): finished cells are skipped.
expect "submitting again" 0 "report job" -- \
  "$bin" slurm "$t/suite.json" --shards 2 --max-parallel 2 --cpus-per-task 1 --out "$t/cluster" --set train.epochs=2
ids2=$(echo "$last_out" | sed -n 's/^\(array\|report\) job \([0-9]*\):.*/\2/p' | paste -sd, -)
check "... both jobs end" -- wait_jobs "$ids2" 300
check "... and no task trains a cell again" -- bash -c \
  "grep -q ': 0 ran, 2 skipped' $logs/${ids2%%,*}_0.out && grep -q ': 0 ran, 2 skipped' $logs/${ids2%%,*}_1.out"
check "... the results unchanged" -- same_evals "$t/one/runs/clustered" "$t/cluster/runs/clustered"
finish
