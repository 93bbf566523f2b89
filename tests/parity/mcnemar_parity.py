#!/usr/bin/python3
"""Parity of gauntlet's exact McNemar test (harness/stats.cpp) with scipy.stats.binomtest.

Usage: mcnemar_parity.py MCNEMAR_DUMP

MCNEMAR_DUMP is the program built from tests/parity/mcnemar_dump.cpp: it reads lines "b c" and
prints "b c p". McNemar's exact test on discordant counts b, c is the two-sided binomial test of
b successes in b + c trials with p = 1/2; scipy.stats.binomtest(b, b + c, 0.5).pvalue is the
reference (p = 1 when b + c = 0, where scipy refuses n = 0). Every table with 0 <= b, c <= 60 is
checked to within 1e-12 relative; prints the worst case and exits 1 on any mismatch (2 on bad
usage or a program that fails).

Runs with Debian's /usr/bin/python3, which sees python3-scipy.
"""

import subprocess
import sys

from scipy.stats import binomtest

REL_TOL = 1e-12
MAX_COUNT = 60


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    tables = [(b, c) for b in range(MAX_COUNT + 1) for c in range(MAX_COUNT + 1)]
    stdin = "".join(f"{b} {c}\n" for b, c in tables)
    run = subprocess.run([sys.argv[1]], input=stdin, capture_output=True, text=True)
    if run.returncode != 0:
        print(f"mcnemar_dump failed ({run.returncode}): {run.stderr}", file=sys.stderr)
        return 2
    lines = run.stdout.split("\n")[:-1]
    if len(lines) != len(tables):
        print(f"expected {len(tables)} lines, got {len(lines)}", file=sys.stderr)
        return 2
    bad = 0
    worst = (0.0, None)
    for (b, c), line in zip(tables, lines):
        fields = line.split()
        if (int(fields[0]), int(fields[1])) != (b, c):
            print(f"line for ({b}, {c}) reads {line!r}", file=sys.stderr)
            return 2
        ours = float(fields[2])
        ref = 1.0 if b + c == 0 else binomtest(b, b + c, 0.5).pvalue
        rel = abs(ours - ref) / ref
        if rel > worst[0]:
            worst = (rel, (b, c, ours, ref))
        if rel > REL_TOL:
            bad += 1
            if bad <= 10:
                print(f"MISMATCH b={b} c={c}: gauntlet {ours!r} scipy {ref!r} (relative {rel:.3g})")
    print(f"{len(tables)} tables (b, c <= {MAX_COUNT}), {bad} mismatches; worst relative difference "
          f"{worst[0]:.3g} at {worst[1]}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
