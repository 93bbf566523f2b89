#!/usr/bin/env bash
# The bad-input table (tests/data/bad/cases.tsv) through the real binary: the corpus is generated
# into a temporary folder (tests/data/bad/make_corpus.py), then every case must exit 2 with one
# message naming the file and the problem, without a signal, and change nothing in --out.
# Usage: bad_input.sh GAUNTLET SRC [CASE_NAME_SUBSTRING]
set -eu
bin=$1 src=$2
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
/usr/bin/python3 "$src/tests/data/bad/make_corpus.py" "$t/corpus"
/usr/bin/python3 "$src/tests/data/bad/run_cases.py" "$bin" "$t/corpus" "$src/tests/data/bad/cases.tsv" "${3:-}"
