# Helpers for the end-to-end scripts: expect an exit code and a message, fail loudly.
fails=0
passes=0
expect() {  # expect NAME CODE SUBSTRING -- command...
  local name=$1 code=$2 want=$3
  shift 4
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  last_out=$out  # for checks on the same output
  if [[ $rc -ne $code ]]; then
    echo "FAIL $name: exit $rc, expected $code; output:"; echo "$out" | head -20; fails=$((fails + 1)); return
  fi
  if [[ -n $want && $out != *"$want"* ]]; then
    echo "FAIL $name: output lacks \"$want\"; output:"; echo "$out" | head -20; fails=$((fails + 1)); return
  fi
  echo "ok   $name"
  passes=$((passes + 1))
}
check() {  # check NAME -- command... (passes when the command exits 0)
  local name=$1
  shift 2
  if "$@"; then echo "ok   $name"; passes=$((passes + 1)); else echo "FAIL $name"; fails=$((fails + 1)); fi
}
finish() {
  echo "$passes passed, $fails failed"
  [[ $fails -eq 0 ]]
}
evals() {  # evals RUNS: the eval section of every cell folder, in cell-id order; fails on none
  /usr/bin/python3 - "$1" <<'PY'
import json, os, sys
d = sys.argv[1]
cells = sorted(c for c in os.listdir(d) if os.path.isdir(os.path.join(d, c)))
assert cells, "no cells in " + d
for c in cells:
    print(c, json.dumps(json.load(open(os.path.join(d, c, "result.json")))["eval"], sort_keys=True))
PY
}
same_evals() {  # same_evals RUNS_A RUNS_B: the same cells, with byte-identical eval sections
  local a b
  a=$(evals "$1") && b=$(evals "$2") && [[ "$a" == "$b" ]]
}
